/**
 * graphile-worker's housekeeping through its public surface (graphile-sweep.ts): a pool that holds
 * its locks past the lock timeout is freed for other nodes, with its record queue, and the next
 * job of that record still waits its turn, and starts as soon as its turn comes; a node never
 * frees its own pool; empty record queues are collected, but never while an enqueue is in flight.
 */
import { randomUUID } from "node:crypto";
import { Logger, makeWorkerUtils, runMigrations } from "graphile-worker";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordQueueName, startGraphileRunner, TASK } from "../../runtime/queue/graphile-runner.ts";
import { collectQueues, QUEUE_GC_LOCK_SQL, queueGcLockParams } from "../../runtime/queue/graphile-sweep.ts";
import type { JobRef } from "../../runtime/queue/index.ts";
import { POSTGRES_URL } from "../helpers/engines.ts";
import { waitFor } from "./harness.ts";

const schema = `gw_sweep_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
const logger = new Logger(() => () => undefined);
const pools: pg.Pool[] = [];
const newPool = () => {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 6 });
  pool.on("error", () => undefined);
  pools.push(pool);
  return pool;
};
let admin: pg.Pool;

beforeAll(async () => {
  admin = newPool();
  await runMigrations({ pgPool: admin, schema, logger });
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  for (const pool of pools) await pool.end();
});

const addJob = (runId: string, queue: string | null, maxAttempts = 3) =>
  admin.query(`SELECT "${schema}".add_job($1, $2::json, queue_name => $3, max_attempts => $4)`, [
    TASK,
    JSON.stringify({ runId, attempt: 1 }),
    queue,
    maxAttempts,
  ]);

const runner = (lockTimeoutMs: number, handler: (job: JobRef) => Promise<void>, pollMs = 100) =>
  startGraphileRunner({ pool: newPool(), schema, concurrency: 2, lockTimeoutMs, pollMs, logger }, handler);

it("frees a pool stuck past the lock timeout for another node (never its own), keeping the record's order", async () => {
  const queue = recordQueueName("DEMO", randomUUID());
  await addJob("first", queue);
  await addJob("second", queue);
  const stuckJobs: (() => void)[] = [];
  const stuckSeen: string[] = [];
  let freed = false;
  const stuck = await runner(300, (job) => {
    stuckSeen.push(job.runId);
    return freed ? Promise.resolve() : new Promise<void>((resolve) => stuckJobs.push(resolve));
  });
  const healthySeen: string[] = [];
  try {
    await waitFor(async () => stuckSeen.length === 1);
    // Several sweeps of the stuck node pass: its own lock is never freed, so its second worker
    // neither takes the first job again nor the record's second job (the record queue is busy).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(stuckSeen).toEqual(["first"]);

    const healthy = await runner(300, async (job) => {
      healthySeen.push(job.runId);
    });
    try {
      await waitFor(async () => healthySeen.length === 2, 30_000);
      expect(healthySeen).toEqual(["first", "second"]);
    } finally {
      await healthy.stop();
    }
  } finally {
    freed = true;
    for (const release of stuckJobs) release();
    await stuck.stop();
  }
});

it("starts a record's next job as soon as the last one completes, not at the next poll", async () => {
  const queue = recordQueueName("DEMO", randomUUID());
  const ids = Array.from({ length: 10 }, (_, i) => `in-turn-${i}`);
  for (const id of ids) await addJob(id, queue);
  const seen: string[] = [];
  // The poll is an hour away: after the first job (taken at start), each of the others can only
  // start because the one before it completed. Waiting for a poll would outlast the test.
  const node = await runner(60_000, async (job) => void seen.push(job.runId), 3_600_000);
  try {
    await waitFor(async () => seen.length === ids.length, 120_000);
    expect([...seen].sort()).toEqual([...ids].sort());
  } finally {
    await node.stop();
  }
});

it("reports a job whose handler threw on graphile's last try (the run's maxAttempts), once", async () => {
  const given: JobRef[] = [];
  const node = await startGraphileRunner(
    {
      pool: newPool(),
      schema,
      concurrency: 1,
      lockTimeoutMs: 60_000,
      pollMs: 100,
      logger,
      onGiveUp: async (job) => void given.push(job),
    },
    async (job) => {
      if (job.runId === "unrecordable") throw new Error("store down");
    },
  );
  try {
    await addJob("unrecordable", null, 1);
    await waitFor(async () => given.length > 0, 30_000);
    expect(given).toEqual([{ runId: "unrecordable", attempt: 1 }]);
  } finally {
    await node.stop();
  }
});

it("collects empty record queues, but not while an enqueue holds the shared lock", async () => {
  const name = recordQueueName("DEMO", randomUUID())!;
  await addJob("done", name);
  const { rows } = await admin.query(`SELECT id FROM "${schema}".jobs WHERE queue_name = $1`, [name]);
  const utils = await makeWorkerUtils({ pgPool: admin, schema, logger });
  try {
    await utils.completeJobs(rows.map((row) => String(row.id)));
    const queues = async () =>
      (await admin.query(`SELECT 1 FROM "${schema}"._private_job_queues WHERE queue_name = $1`, [name]))
        .rowCount;
    expect(await queues()).toBe(1);

    const enqueuing = await admin.connect();
    try {
      await enqueuing.query("BEGIN");
      await enqueuing.query(QUEUE_GC_LOCK_SQL, queueGcLockParams(schema));
      expect(await collectQueues({ pool: admin, schema, lockTimeoutMs: 1_000, logger }, utils)).toBe(false);
      expect(await queues()).toBe(1);
      await enqueuing.query("COMMIT");
    } finally {
      enqueuing.release();
    }
    expect(await collectQueues({ pool: admin, schema, lockTimeoutMs: 1_000, logger }, utils)).toBe(true);
    expect(await queues()).toBe(0);
  } finally {
    await utils.release();
  }
});

/**
 * Heartbeats of graphile-worker pools (graphile-heartbeat.ts) with real runners on the machine's
 * Postgres (fresh store and queue schemas): a beating node keeps a job that outlasts the lock
 * timeout; a node of an older version (no heartbeat row) is still freed by the lock timeout; a
 * node whose row disappeared says it was taken for dead and beats on; the options are checked.
 */
import { randomUUID } from "node:crypto";
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GraphileRunner, startGraphileRunner, TASK } from "../../runtime/queue/graphile-runner.ts";
import { parseHeartbeatOptions } from "../../runtime/queue/heartbeat-options.ts";
import type { JobRef } from "../../runtime/queue/index.ts";
import { openStore } from "../../runtime/store/index.ts";
import { POSTGRES, POSTGRES_URL } from "../helpers/engines.ts";
import { eventually } from "../helpers/eventually.ts";

const logger = new Logger(() => () => undefined);
let schema: string;
let queueSchema: string;
let table: string;
let dropStore: () => Promise<void>;
let admin: pg.Pool;
const pools: pg.Pool[] = [];
let runners: GraphileRunner[] = [];

/** Stops this test's runners, so none judges in the next test. */
async function stopRunners() {
  for (const runner of runners) await runner.stop();
  runners = [];
}

beforeAll(async () => {
  const created = await POSTGRES.create();
  schema = created.options.schema!;
  dropStore = created.cleanup;
  queueSchema = `gw_${schema}`;
  table = `"${schema}".queue_heartbeats`;
  await (await openStore(created.options)).close(); // its migrations create the heartbeat table
  admin = newPool();
  await runMigrations({ pgPool: admin, schema: queueSchema, logger });
}, 60_000);

afterAll(async () => {
  await stopRunners();
  await admin.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
  for (const pool of pools) await pool.end();
  await dropStore();
}, 60_000);

function newPool() {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 6 });
  pool.on("error", () => undefined);
  pools.push(pool);
  return pool;
}

const addJob = (runId: string) =>
  admin.query(`SELECT "${queueSchema}".add_job($1, $2::json, job_key => $3, max_attempts => 3)`, [
    TASK,
    JSON.stringify({ runId, attempt: 1 }),
    runId,
  ]);

interface Node {
  runner: GraphileRunner;
  seen: string[];
  warnings: string[];
  errors: string[];
}

/** A runner whose jobs wait until `release` is called (a slow handler); `heartbeat` false: an older version. */
async function startNode(options: {
  lockTimeoutMs: number;
  heartbeat: false | { heartbeatMs: number; deadAfterMs: number };
  hold?: Promise<void>;
}): Promise<Node> {
  const node: Node = { runner: undefined as never, seen: [], warnings: [], errors: [] };
  node.runner = await startGraphileRunner(
    {
      pool: newPool(),
      schema: queueSchema,
      concurrency: 2,
      lockTimeoutMs: options.lockTimeoutMs,
      heartbeat: options.heartbeat ? { ...options.heartbeat, table } : undefined,
      pollMs: 100,
      logger,
      onError: (error) => node.errors.push(String(error)),
      onWarning: (message, details) => node.warnings.push(`${message} ${JSON.stringify(details)}`),
    },
    async (job: JobRef) => {
      node.seen.push(job.runId);
      await options.hold;
    },
  );
  runners.push(node.runner);
  return node;
}

const poolIds = async () =>
  (await admin.query(`SELECT pool_id FROM ${table}`)).rows.map((row) => String(row.pool_id));

/** The pool that holds the job of `runId` (null: waiting; undefined: done). */
const lockerOf = async (runId: string) =>
  (await admin.query(`SELECT locked_by FROM "${queueSchema}".jobs WHERE key = $1`, [runId])).rows[0]
    ?.locked_by as string | null | undefined;

const held = () => {
  let release: () => void = () => undefined;
  const hold = new Promise<void>((resolve) => (release = resolve));
  return { hold, release };
};

describe("heartbeats of job nodes", () => {
  it("never takes a job from a beating node, however long past the lock timeout it runs", async () => {
    const slow = held();
    const busy = await startNode({
      lockTimeoutMs: 500,
      heartbeat: { heartbeatMs: 200, deadAfterMs: 3_000 },
      hold: slow.hold,
    });
    const runId = `long-${randomUUID()}`;
    await addJob(runId);
    await eventually(async () => busy.seen.includes(runId), 30_000);
    const other = await startNode({
      lockTimeoutMs: 500,
      heartbeat: { heartbeatMs: 200, deadAfterMs: 3_000 },
    });
    // Eight lock timeouts: without the heartbeat, the other node's sweep would have taken it.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    slow.release();
    await eventually(async () => (await lockerOf(runId)) === undefined, 30_000);
    await stopRunners();
    expect(busy.seen.filter((id) => id === runId)).toHaveLength(1);
    expect(other.seen).not.toContain(runId);
    expect([...busy.warnings, ...other.warnings].join("\n")).not.toMatch(/taken for dead|lock timeout/);
  }, 60_000);

  it("frees a node without a heartbeat (an older version) by the lock timeout", async () => {
    const stuck = held();
    const old = await startNode({ lockTimeoutMs: 60_000, heartbeat: false, hold: stuck.hold });
    const runId = `old-${randomUUID()}`;
    await addJob(runId);
    await eventually(async () => old.seen.includes(runId), 30_000);
    expect(await poolIds()).not.toContain(await lockerOf(runId));
    const judge = await startNode({
      lockTimeoutMs: 3_000,
      heartbeat: { heartbeatMs: 200, deadAfterMs: 3_000 },
    });
    try {
      await eventually(async () => judge.seen.includes(runId), 30_000);
      expect(judge.warnings.join("\n")).toMatch(/older than the lock timeout released/);
      expect(judge.warnings.join("\n")).not.toMatch(/job node taken for dead/);
    } finally {
      stuck.release();
      await stopRunners();
    }
  }, 60_000);

  it("says when this node finds its heartbeat gone (taken for dead), and beats on", async () => {
    const node = await startNode({
      lockTimeoutMs: 60_000,
      heartbeat: { heartbeatMs: 200, deadAfterMs: 3_000 },
    });
    await eventually(async () => (await poolIds()).length > 0, 30_000);
    const mine = await poolIds();
    await admin.query(`DELETE FROM ${table} WHERE pool_id = ANY($1::text[])`, [mine]);
    await eventually(
      async () => node.warnings.some((line) => line.includes("this node was taken for dead")),
      30_000,
    );
    await eventually(async () => {
      const now = await poolIds();
      return mine.every((id) => now.includes(id));
    }, 30_000);
    // A graceful stop takes its rows with it.
    await stopRunners();
    expect(await poolIds()).toEqual([]);
  }, 60_000);

  it("checks its options: ranges, and at least three beats before a node is dead", () => {
    expect(parseHeartbeatOptions({})).toEqual({ heartbeatMs: 5_000, deadAfterMs: 30_000 });
    expect(parseHeartbeatOptions({ heartbeatMs: 500, deadAfterMs: 1_500 })).toEqual({
      heartbeatMs: 500,
      deadAfterMs: 1_500,
    });
    expect(() => parseHeartbeatOptions({ heartbeatMs: 50 })).toThrow(
      "heartbeat.heartbeatMs must be a whole number from 100 to 60,000, got 50.",
    );
    expect(() => parseHeartbeatOptions({ heartbeatMs: 20_000 })).toThrow(
      'heartbeat must have deadAfterMs at least 3 × heartbeatMs (a node is taken for dead only after missing 3 beats), got {"heartbeatMs":20000}.',
    );
  });
});

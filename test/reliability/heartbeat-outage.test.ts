/**
 * A database outage longer than the dead-after time stops every node's heartbeat at once; when
 * the database is back, every row is old. No node may then take another live node's running job:
 * a node judges only after its own beats went through for the dead-after time, by which time the
 * live nodes beat again. Two job runners on a throwaway cluster (never the shared one); the node
 * that could misjudge beats five times as often as the one holding the job.
 */
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type GraphileRunner, startGraphileRunner, TASK } from "../../runtime/queue/graphile-runner.ts";
import { openStore } from "../../runtime/store/index.ts";
import { eventually } from "../helpers/eventually.ts";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/pg-cluster.ts";

const DEAD_AFTER_MS = 4_000;
const logger = new Logger(() => () => undefined);
let cluster: ThrowawayCluster;
const pools: pg.Pool[] = [];
const runners: GraphileRunner[] = [];

beforeAll(async () => {
  cluster = await startThrowawayCluster();
  await (await openStore({ dataDir: "", databaseUrl: cluster.url })).close(); // the heartbeat table
  await runMigrations({ pgPool: newPool(), schema: "graphile_worker", logger });
}, 120_000);

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  for (const pool of pools) await pool.end();
  await cluster?.remove();
}, 60_000);

function newPool() {
  const pool = new pg.Pool({ connectionString: cluster.url, max: 6 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  pools.push(pool);
  return pool;
}

interface Node {
  seen: string[];
  log: string[];
}

async function startNode(heartbeatMs: number, hold?: Promise<void>): Promise<Node> {
  const node: Node = { seen: [], log: [] };
  const runner = await startGraphileRunner(
    {
      pool: newPool(),
      schema: "graphile_worker",
      concurrency: 2,
      lockTimeoutMs: 600_000,
      heartbeat: { heartbeatMs, deadAfterMs: DEAD_AFTER_MS, table: `"public".queue_heartbeats` },
      pollMs: 100,
      logger,
      onError: (error) => node.log.push(String(error)),
      onWarning: (message) => node.log.push(message),
    },
    async (job) => {
      node.seen.push(job.runId);
      await hold;
    },
  );
  runners.push(runner);
  return node;
}

it("takes no live node for dead after an outage longer than the dead-after time", async () => {
  let release: () => void = () => undefined;
  const holding = await startNode(1_000, new Promise<void>((resolve) => (release = resolve)));
  const admin = newPool();
  await admin.query(`SELECT graphile_worker.add_job($1, $2::json, job_key => 'long')`, [
    TASK,
    JSON.stringify({ runId: "long", attempt: 1 }),
  ]);
  await eventually(async () => holding.seen.includes("long"), 30_000);
  const judging = await startNode(200);
  // The judging node has beaten long enough to judge before the outage.
  await new Promise((resolve) => setTimeout(resolve, DEAD_AFTER_MS + 1_000));

  await cluster.stop("immediate");
  const failed = (node: Node) => node.log.some((line) => line.includes("heartbeat not written"));
  await eventually(async () => failed(holding) && failed(judging), 30_000);
  // Down for longer than the dead-after time: every heartbeat row is old when it comes back.
  await new Promise((resolve) => setTimeout(resolve, DEAD_AFTER_MS + 1_000));
  await cluster.start();

  const back = (node: Node) => node.log.includes("heartbeat written again");
  await eventually(async () => back(holding) && back(judging), 60_000);
  // Long enough for the judging node to judge several times.
  await new Promise((resolve) => setTimeout(resolve, 2 * DEAD_AFTER_MS));
  expect(judging.seen).not.toContain("long");
  expect([...holding.log, ...judging.log].join("\n")).not.toMatch(/taken for dead/);

  release();
  await eventually(
    async () => (await admin.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = 'long'`)).rowCount === 0,
    30_000,
  );
  expect([...holding.seen, ...judging.seen].filter((id) => id === "long")).toEqual(["long"]);
}, 240_000);

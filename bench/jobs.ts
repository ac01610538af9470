/**
 * Queue throughput on Postgres: jobs/s drained by 1 `serve` node vs 2 nodes, each pinned to one
 * core (taskset). The jobs (async `add`s, each creating a record) are enqueued first through a
 * node that takes no jobs; throughput = jobs / (last finish - first start) from the run log.
 * A figure, not a test. Needs the local Postgres (TEST_DATABASE_URL or 127.0.0.1:5432/test).
 *
 *   npm run bench:jobs [-- jobs]
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runCli } from "../test/helpers/cli.ts";
import { POSTGRES_URL } from "../test/helpers/engines.ts";
import { type ServeNode, startServeNode } from "../test/helpers/serve-node.ts";

const JOBS = Number(process.argv[2] ?? 2_000);
const APP = join(import.meta.dirname, "..", "test", "fixtures", "apps", "app-queue");

async function drain(nodeCount: number): Promise<number> {
  const schema = `bench_jobs_${nodeCount}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const appsDir = mkdtempSync(join(tmpdir(), "comind-bench-apps-"));
  cpSync(APP, join(appsDir, "app-queue"), { recursive: true });
  const env = {
    DATABASE_URL: `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`,
    COMIND_QUEUE_SCHEMA: `gw_${schema}`,
    LOG_LEVEL: "warn",
  };
  const nodes: ServeNode[] = [];
  try {
    const api = await startServeNode({
      appsDir,
      env: { ...env, LOG_LEVEL: "info" },
      args: ["--jobs", "0", "--workers", "0"],
    });
    nodes.push(api);
    const token = await runCli([
      "token",
      "create",
      "bench",
      "--admin",
      "--json",
      "--database-url",
      env.DATABASE_URL,
    ]);
    const headers = {
      authorization: `CMW_AUTH_CODE ${JSON.parse(token.stdout).token}`,
      "content-type": "application/json",
    };
    for (let sent = 0; sent < JOBS; sent += 100) {
      const items = Array.from({ length: Math.min(100, JOBS - sent) }, () => ({
        transition: "add",
        app_alias: "QUEUE",
        async: true,
        c_text: "bench",
      }));
      const reply = await fetch(`${api.url}/api/tickets/multi`, {
        method: "POST",
        headers,
        body: JSON.stringify(items),
      });
      if (reply.status !== 200) throw new Error(`enqueue failed: ${reply.status} ${await reply.text()}`);
    }
    await api.stop();
    nodes.length = 0;
    for (let i = 0; i < nodeCount; i++)
      nodes.push(
        await startServeNode({
          appsDir,
          env: { ...env, LOG_LEVEL: "info" },
          args: ["--jobs", "4", "--workers", "0"],
          cpu: i % availableParallelism(),
        }),
      );
    for (;;) {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM ${schema}.queue_runs WHERE status IN ('succeeded', 'failed', 'dead')`,
      );
      if (rows[0].n >= JOBS) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { rows } = await admin.query(
      `SELECT min(started_at) AS first, max(finished_at) AS last, count(*) FILTER (WHERE NOT ok)::int AS failed
       FROM ${schema}.action_runs WHERE source = 'async'`,
    );
    if (rows[0].failed > 0) console.warn(`${rows[0].failed} job attempt(s) failed`);
    const seconds = (Date.parse(rows[0].last) - Date.parse(rows[0].first)) / 1000;
    return JOBS / seconds;
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS gw_${schema} CASCADE`);
    await admin.end();
    rmSync(appsDir, { recursive: true, force: true });
  }
}

const one = await drain(1);
const two = await drain(2);
console.log(
  JSON.stringify(
    {
      jobs: JOBS,
      "jobs/s, 1 node (1 core)": Math.round(one),
      "jobs/s, 2 nodes (1 core each)": Math.round(two),
      ratio: Math.round((two / one) * 100) / 100,
    },
    null,
    2,
  ),
);

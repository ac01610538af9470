/**
 * Several `serve` processes on one Postgres database: 1,000 async triggers that each append their
 * own id to one record; one node is killed with SIGKILL midway and restarted. Every job runs,
 * none commits twice: the record holds 1,000 distinct ids.
 */
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { POSTGRES, POSTGRES_URL } from "../helpers/engines.ts";
import { type ServeNode, startServeNode } from "../helpers/serve-node.ts";
import { graphileSchemaOf, QUEUE_APP, waitFor } from "./harness.ts";

const JOBS = 1_000;

let schema: string;
let cleanup: () => Promise<void>;
let appsDir: string;
let databaseUrl: string;
let db: pg.Client;
const children = new Set<ChildProcess>();

async function startNode(): Promise<ServeNode> {
  const node = await startServeNode({
    appsDir,
    args: ["--workers", "0", "--jobs", "4"],
    env: {
      DATABASE_URL: databaseUrl,
      COMIND_QUEUE_SCHEMA: graphileSchemaOf({ dataDir: "", schema })!,
      // The killed node's jobs go to the other nodes 5 s after its heartbeat stops.
      COMIND_JOB_HEARTBEAT_MS: "1000",
      COMIND_JOB_DEAD_AFTER_MS: "5000",
    },
  });
  children.add(node.child);
  node.child.once("exit", () => children.delete(node.child));
  return node;
}

async function count(where: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.queue_runs WHERE ${where}`);
  return rows[0].n;
}

beforeAll(async () => {
  const created = await POSTGRES.create();
  schema = created.options.schema!;
  cleanup = created.cleanup;
  databaseUrl = `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`;
  appsDir = mkdtempSync(join(tmpdir(), "comind-apps-"));
  cpSync(QUEUE_APP, join(appsDir, "app-queue"), { recursive: true });
  db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await db?.query(`DROP SCHEMA IF EXISTS ${graphileSchemaOf({ dataDir: "", schema })} CASCADE`);
  await db?.end();
  await cleanup?.();
  rmSync(appsDir, { recursive: true, force: true });
});

it("two nodes, 1,000 async appends, one node killed midway: 1,000 distinct ids", async () => {
  const nodes = [await startNode(), await startNode()];
  const token = await runCli([
    "token",
    "create",
    "admin",
    "--admin",
    "--json",
    "--database-url",
    databaseUrl,
  ]);
  expect(token.code).toBe(0);
  const headers = {
    authorization: `CMW_AUTH_CODE ${JSON.parse(token.stdout).token}`,
    "content-type": "application/json",
  };
  const post = async (url: string, body: unknown) => {
    const reply = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
    expect(reply.status).toBe(200);
    return (await reply.json()) as Record<string, unknown>[];
  };
  const [added] = await post(`${nodes[0].url}/api/tickets/multi`, [
    { transition: "add", app_alias: "QUEUE" },
  ]);
  const recordId = (added.data as { id: string }).id;

  for (let batch = 0; batch < JOBS / 100; batch++) {
    const items = Array.from({ length: 100 }, (_, i) => ({
      transition: "append",
      id: recordId,
      async: true,
      c_last: `job-${batch * 100 + i}`,
    }));
    const answers = await post(`${nodes[batch % 2].url}/api/tickets/multi`, items);
    expect(answers.every((answer) => answer.queued === true)).toBe(true);
  }

  await waitFor(async () => (await count("status = 'succeeded'")) >= JOBS / 4, 180_000);
  nodes[0].child.kill("SIGKILL");
  const restarted = await startNode();

  await waitFor(async () => (await count("status IN ('succeeded', 'failed', 'dead')")) === JOBS, 300_000);
  expect(await count("status = 'succeeded'")).toBe(JOBS);
  expect(await count("committed_at IS NOT NULL")).toBe(JOBS);

  const { rows } = await db.query(`SELECT fields FROM ${schema}.records WHERE id = $1`, [recordId]);
  const ids = String(rows[0].fields.c_ids).split(",");
  expect(ids).toHaveLength(JOBS);
  expect(new Set(ids).size).toBe(JOBS);
  expect(new Set(ids)).toEqual(new Set(Array.from({ length: JOBS }, (_, i) => `job-${i}`)));

  await Promise.all([nodes[1].stop(), restarted.stop()]);
}, 600_000);

/**
 * Several `serve` processes on one Postgres database: 1,000 async triggers that each append their
 * own id to one record; one node is killed with SIGKILL midway and restarted. Every job runs,
 * none commits twice: the record holds 1,000 distinct ids.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.ts";
import { POSTGRES, POSTGRES_URL } from "../helpers/engines.ts";
import { graphileSchemaOf, QUEUE_APP, waitFor } from "./harness.ts";

const NODE = join(ROOT, "node_modules", ".bin", "node");
const BIN = join(ROOT, "bin", "comind-runtime.js");
const JOBS = 1_000;

interface Node {
  child: ChildProcess;
  url: string;
  output: () => string;
}

let schema: string;
let cleanup: () => Promise<void>;
let appsDir: string;
let databaseUrl: string;
let db: pg.Client;
const children = new Set<ChildProcess>();

function startNode(): Promise<Node> {
  const child = spawn(
    NODE,
    ["--no-node-snapshot", BIN, "serve", "--apps", appsDir, "--port", "0", "--workers", "0", "--jobs", "4"],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        DATABASE_URL: databaseUrl,
        COMIND_QUEUE_SCHEMA: graphileSchemaOf({ dataDir: "", schema })!,
        COMIND_JOB_LOCK_TIMEOUT_MS: "5000",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`node exited with ${code}:\n${output.slice(-2000)}`)));
  });
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
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await db?.query(`DROP SCHEMA IF EXISTS ${graphileSchemaOf({ dataDir: "", schema })} CASCADE`);
  await db?.end();
  await cleanup?.();
  rmSync(appsDir, { recursive: true, force: true });
}, 60_000);

it("two nodes, 1,000 async appends, one node killed midway: 1,000 distinct ids", async () => {
  const nodes = [await startNode(), await startNode()];
  const token = await runCli(["token", "create", "admin", "--admin", "--json", "--database-url", databaseUrl]);
  expect(token.code).toBe(0);
  const headers = {
    authorization: `CMW_AUTH_CODE ${JSON.parse(token.stdout).token}`,
    "content-type": "application/json",
  };
  const post = async (url: string, body: unknown) => {
    const reply = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
    expect(reply.status).toBe(200);
    return reply.json();
  };
  const [added] = await post(`${nodes[0].url}/api/tickets/multi`, [{ transition: "add", app_alias: "QUEUE" }]);
  const recordId = added.data.id as string;

  for (let batch = 0; batch < JOBS / 100; batch++) {
    const items = Array.from({ length: 100 }, (_, i) => ({
      transition: "append",
      id: recordId,
      async: true,
      c_last: `job-${batch * 100 + i}`,
    }));
    const answers = await post(`${nodes[batch % 2].url}/api/tickets/multi`, items);
    expect(answers.every((answer: { queued: boolean }) => answer.queued)).toBe(true);
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

  for (const node of [nodes[1], restarted]) {
    const exited = new Promise((resolve) => node.child.once("exit", resolve));
    node.child.kill("SIGTERM");
    await exited;
  }
}, 600_000);

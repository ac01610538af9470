/**
 * Job nodes' heartbeats on the machine's Postgres (a fresh schema), with real `serve` processes:
 * a node killed -9 while it holds jobs has them run by the other node, each exactly once, within
 * seconds of the kill (the lock timeout is set to 10 minutes, so only the heartbeat can do it);
 * a node whose jobs outlast the dead-after time keeps them; a node stopped by SIGTERM leaves no
 * job lock and no heartbeat row. Jobs call an upstream of this test that holds each request until
 * the test lets it go, so "a node holds jobs" and "a job is slow" are states, not timings.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/auth.ts";
import { openStore } from "../../runtime/store/index.ts";
import { POSTGRES, POSTGRES_URL } from "../helpers/engines.ts";
import { eventually } from "../helpers/eventually.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { type ServeChild, startServeChild } from "../helpers/serve-child.ts";

const HEARTBEAT_MS = 500;
const DEAD_AFTER_MS = 5_000;
/** Far beyond the test's waits: a job freed in time was freed by the heartbeat. */
const LOCK_TIMEOUT_MS = 600_000;

let schema: string;
let queueSchema: string;
let databaseUrl: string;
let dropStore: () => Promise<void>;
let db: pg.Client;
let token: string;
const appsDir = mkdtempSync(join(tmpdir(), "comind-dead-node-"));
const nodes: ServeChild[] = [];

/** An upstream that counts each record's calls and holds them while `holding`. */
const upstream = {
  server: undefined as Server | undefined,
  url: "",
  holding: true,
  held: [] as ServerResponse[],
  hits: new Map<string, number>(),
  answerAll() {
    for (const res of this.held.splice(0)) if (!res.destroyed) res.end("{}");
  },
};

beforeAll(async () => {
  const created = await POSTGRES.create();
  schema = created.options.schema!;
  dropStore = created.cleanup;
  queueSchema = `gw_${schema}`;
  databaseUrl = `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`;
  const store = await openStore(created.options);
  token = await createToken(store, { id: "alice" });
  await store.close();
  db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  cpSync(join(FIXTURE_APPS, "app-queue"), join(appsDir, "app-queue"), { recursive: true });
  upstream.server = createServer((req, res) => {
    const record = (req.url ?? "/").slice(1);
    upstream.hits.set(record, (upstream.hits.get(record) ?? 0) + 1);
    res.setHeader("content-type", "application/json");
    if (upstream.holding) upstream.held.push(res);
    else res.end("{}");
  });
  await new Promise<void>((resolve) => upstream.server!.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const node of nodes) if (node.alive()) node.child.kill("SIGKILL");
  upstream.holding = false;
  upstream.answerAll();
  upstream.server?.closeAllConnections();
  await new Promise((resolve) => upstream.server?.close(resolve));
  await db?.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
  await db?.end();
  await dropStore?.();
  rmSync(appsDir, { recursive: true, force: true });
}, 60_000);

async function startNode(): Promise<ServeChild> {
  const node = await startServeChild(
    ["--apps", appsDir, "--database-url", databaseUrl, "--workers", "0", "--jobs", "3"],
    {
      COMIND_ALLOW_HOSTS: "127.0.0.1",
      COMIND_QUEUE_SCHEMA: queueSchema,
      COMIND_JOB_HEARTBEAT_MS: String(HEARTBEAT_MS),
      COMIND_JOB_DEAD_AFTER_MS: String(DEAD_AFTER_MS),
      COMIND_JOB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
    },
  );
  nodes.push(node);
  return node;
}

const nodeName = (node: ServeChild) => `${hostname()}:${node.child.pid}`;

async function call(node: ServeChild, path: string, body: unknown) {
  const res = await request(`${node.url}${path}`, {
    method: "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await res.body.json()) as any;
  expect(res.statusCode, JSON.stringify(answer).slice(0, 300)).toBe(200);
  return answer;
}

/** `records` new records, each with `jobs` queued `call_count` runs. */
async function queueJobs(node: ServeChild, records: number, jobs: number): Promise<string[]> {
  const added = await call(
    node,
    "/api/tickets/multi",
    Array.from({ length: records }, () => ({ transition: "add", app_alias: "QUEUE", c_text: upstream.url })),
  );
  const ids = added.map((item: any) => item.data.id as string);
  for (let round = 0; round < jobs; round++) {
    const queued = await call(
      node,
      "/api/tickets/multi",
      ids.map((id: string) => ({ id, transition: "call_count", async: true })),
    );
    expect(queued.every((item: any) => item.queued === true)).toBe(true);
  }
  return ids;
}

async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

/** The graphile pools a node runs, from its heartbeat rows. */
const poolsOf = async (node: ServeChild) =>
  (await query(`SELECT pool_id FROM ${schema}.queue_heartbeats WHERE node = $1`, [nodeName(node)])).map(
    (row) => String(row.pool_id),
  );

const locksOf = async (pools: string[]) =>
  Number(
    (
      await query(`SELECT count(*)::int AS n FROM ${queueSchema}.jobs WHERE locked_by = ANY($1::text[])`, [
        pools,
      ])
    )[0].n,
  );

const counts = async (ids: string[]) => {
  const rows = await query(`SELECT id, fields FROM ${schema}.records WHERE id = ANY($1::text[])`, [ids]);
  const byId = new Map(rows.map((row) => [row.id, Number(row.fields.c_attempts ?? 0)]));
  return ids.map((id) => byId.get(id) ?? -1);
};

const finished = async (ids: string[]) =>
  (await query(`SELECT status FROM ${schema}.queue_runs WHERE record_id = ANY($1::text[])`, [ids])).map(
    (row) => row.status,
  );

describe("dead job nodes", () => {
  let survivor: ServeChild;

  it("runs a node's jobs on another node within seconds of its kill -9, each exactly once", async () => {
    upstream.holding = true;
    const victim = await startNode();
    const ids = await queueJobs(victim, 6, 3);
    // The victim runs three jobs (its --jobs), each holding its record's queue, all held upstream.
    await eventually(async () => upstream.held.length === 3, 60_000);
    const victimPools = await poolsOf(victim);
    expect(victimPools.length).toBeGreaterThan(0);
    expect(await locksOf(victimPools)).toBe(3);

    survivor = await startNode();
    await eventually(async () => upstream.held.length === 6, 60_000);
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    upstream.holding = false;
    upstream.answerAll();

    await eventually(async () => (await counts(ids)).every((count) => count === 3), 120_000);
    // Released by the heartbeat: the lock timeout (10 minutes) was nowhere near.
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(await counts(ids)).toEqual(ids.map(() => 3));
    await eventually(async () => (await finished(ids)).every((status) => status === "succeeded"), 30_000);
    expect(await finished(ids)).toHaveLength(18);
    expect(await locksOf(victimPools)).toBe(0);
    // The dead node's rows went with the verdict, which the survivor logged.
    expect(await poolsOf(victim)).toEqual([]);
    const verdict = survivor
      .output()
      .split("\n")
      .find((line) => line.includes("job node taken for dead"));
    expect(verdict, survivor.output().slice(-3000)).toBeDefined();
    expect(JSON.parse(verdict!)).toMatchObject({ deadNodes: [nodeName(victim)], jobsReleased: 3 });
  }, 300_000);

  it("leaves a live node's jobs alone while they run longer than the dead-after time", async () => {
    upstream.holding = true;
    upstream.hits.clear();
    const second = await startNode();
    const ids = await queueJobs(survivor, 4, 1);
    await eventually(async () => upstream.held.length === 4, 60_000);
    // Three times the dead-after time: both nodes judge many times, and each has idle slots that
    // would take any job whose lock was released (its second call would show up here).
    await new Promise((resolve) => setTimeout(resolve, 3 * DEAD_AFTER_MS));
    expect([...upstream.hits.values()]).toEqual([1, 1, 1, 1]);
    upstream.holding = false;
    upstream.answerAll();
    await eventually(async () => (await counts(ids)).every((count) => count === 1), 60_000);
    expect(ids.map((id) => upstream.hits.get(id))).toEqual([1, 1, 1, 1]);
    for (const node of [survivor, second])
      expect(node.output()).not.toMatch(/taken for dead \(its heartbeat got older/);
    expect(second.output()).not.toContain("job node taken for dead");
  }, 300_000);

  it("leaves no job lock and no heartbeat row behind a SIGTERM with jobs running", async () => {
    upstream.holding = true;
    const ids = await queueJobs(survivor, 6, 2);
    await eventually(async () => upstream.held.length >= 3, 60_000);
    const stopping = nodes.filter((node) => node.alive());
    // Each node beats for its pool; on a busy machine a node's beat can lag its jobs a little.
    await eventually(
      async () => (await Promise.all(stopping.map(poolsOf))).every((pools) => pools.length > 0),
      60_000,
    );
    const pools = (await Promise.all(stopping.map(poolsOf))).flat();
    expect(pools.length).toBeGreaterThanOrEqual(stopping.length);
    expect(await locksOf(pools)).toBeGreaterThan(0);

    const stopped = Promise.all(stopping.map((node) => node.stop()));
    // The running jobs finish during the graceful stop.
    await eventually(async () => stopping.every((node) => node.output().includes("shutting down")), 60_000);
    upstream.holding = false;
    upstream.answerAll();
    await stopped;
    expect(await locksOf(pools)).toBe(0);
    expect(
      await query(
        `SELECT count(*)::int AS n FROM ${queueSchema}._private_job_queues WHERE locked_by = ANY($1)`,
        [pools],
      ),
    ).toEqual([{ n: 0 }]);
    expect(await query(`SELECT node FROM ${schema}.queue_heartbeats`)).toEqual([]);
    // What was not run yet is still queued, for the next node.
    expect((await finished(ids)).every((status) => status === "succeeded" || status === "queued")).toBe(true);
  }, 300_000);
});

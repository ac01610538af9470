/**
 * A Postgres outage under a real `serve` process (throwaway cluster, never the shared one): the
 * server survives the database stopping while a request holds a connection, answers 503
 * `store_unavailable` with Retry-After meanwhile, reports it on /health, and recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { request } from "undici";
import { TOKEN_CACHE_MS } from "../../runtime/server/auth.ts";
import { eventually } from "../helpers/eventually.ts";
import { type OutageStage, startOutageStage } from "../helpers/outage-stage.ts";
import type { ThrowawayCluster } from "../helpers/pg-cluster.ts";
import { startServeChild, type ServeChild } from "../helpers/serve-child.ts";

let stage: OutageStage;
let cluster: ThrowawayCluster;
let serve: ServeChild;

beforeAll(async () => {
  stage = await startOutageStage("app-probe", {
    COMIND_DB_LOCK_TIMEOUT_MS: "60000",
    COMIND_DB_ACQUIRE_TIMEOUT_MS: "2000",
  });
  ({ cluster, serve } = stage);
});
afterAll(async () => {
  await stage?.close();
});

const call = (path: string, body?: unknown) => stage.call(path, body);

describe("Postgres outage", () => {
  it("survives a fast shutdown while a commit holds a connection, answers 503, and recovers", async () => {
    const added = await call("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }]);
    expect(added.status).toBe(200);
    const id = added.body[0].data.id as string;

    // Another session locks the record, so the edit's commit waits inside its transaction on a
    // checked-out connection: exactly where a server shutdown hits it.
    const locker = new pg.Client({ connectionString: cluster.url });
    locker.on("error", () => undefined);
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT id FROM records WHERE id = $1 FOR UPDATE", [id]);
    const edit = call("/api/tickets/multi", [{ id, transition: "increment" }]);
    await eventually(async () => {
      const { rows } = await locker.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted",
      );
      return rows[0].n > 0;
    });
    await cluster.stop("fast");

    // Postgres aborts the locker first, so the edit may still win the lock and commit before its
    // own session is ended. Either way the answer must tell the truth (checked after recovery).
    const answered = await edit;
    const editOutcome =
      answered.status === 200
        ? "committed"
        : (answered.body.error?.code as "store_unavailable" | "commit_unknown");
    if (editOutcome !== "committed") {
      expect(answered.status).toBe(503);
      expect(answered.headers["retry-after"]).toBeDefined();
      expect(["store_unavailable", "commit_unknown"]).toContain(editOutcome);
    }
    expect(serve.alive()).toBe(true);

    // A token is read from the store at most once per TOKEN_CACHE_MS; once that has passed even
    // /api/common needs the store to authenticate.
    await new Promise((resolve) => setTimeout(resolve, TOKEN_CACHE_MS + 200));
    const common = await call("/api/common");
    expect(common.status).toBe(503);
    expect(common.body.error).toMatchObject({ code: "store_unavailable" });
    expect(common.body.error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at /);
    const health = await call("/health");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ ok: false, store: "down" });
    expect((await call("/health/live")).status).toBe(200);

    await cluster.stop("immediate").catch(() => undefined);
    await cluster.start();
    await eventually(async () => (await call("/health")).status === 200);
    const again = await call("/api/tickets/multi", [{ id, transition: "increment" }]);
    expect(again.status).toBe(200);
    expect(again.body[0].successful).toBe(true);
    const count = again.body[0].data.c_count;
    if (editOutcome === "committed") expect(count).toBe(2);
    else if (editOutcome === "store_unavailable") expect(count).toBe(1);
    else expect([1, 2]).toContain(count);
    expect(serve.alive()).toBe(true);
    expect(serve.output()).not.toMatch(/Unhandled 'error' event/);
  }, 180_000);

  it("survives a crash-like immediate shutdown under concurrent writes and recovers", async () => {
    const added = await call("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }]);
    const id = added.body[0].data.id as string;
    let stop = false;
    const statuses = new Set<number>();
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop)
        statuses.add((await call("/api/tickets/multi", [{ id, transition: "increment" }])).status);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.stop("immediate");
    await eventually(async () => statuses.has(503));
    await cluster.start();
    await eventually(async () => (await call("/health")).status === 200);
    stop = true;
    await Promise.all(writers);
    expect(serve.alive()).toBe(true);
    // 409: a writer's only item lost the race for the record (concurrent increments conflict).
    expect([...statuses].every((status) => [200, 409, 503].includes(status))).toBe(true);
    const after = await call("/api/tickets/multi", [{ id, transition: "increment" }]);
    expect(after.body[0].successful).toBe(true);
  }, 180_000);

  it("starts while the database is down and serves once it is up", async () => {
    await cluster.stop("fast");
    // The database comes back only after the server said it is waiting for it.
    let refused: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (refused = resolve));
    const starting = startServeChild(
      ["--apps", stage.appsDir, "--workers", "0", "--database-url", cluster.url],
      {},
      (output) => /database is not reachable; trying again/.test(output) && refused(),
    );
    let late: ServeChild | undefined;
    try {
      await Promise.race([waiting, starting]);
      await cluster.start();
      late = await starting;
      expect((await request(`${late.url}/health`)).statusCode).toBe(200);
    } finally {
      await (late ?? (await starting.catch(() => undefined)))?.stop();
    }
  }, 180_000);
});

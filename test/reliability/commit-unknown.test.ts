/**
 * The connection to Postgres drops exactly at COMMIT (a proxy cuts it before or after the COMMIT
 * reaches the server). The client is never told "failed" for a change that may have committed:
 * it gets 503 `commit_unknown` with the run id, GET /api/runs/{id} tells the truth, and a retry
 * with the same Idempotency-Key applies the change exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore } from "../../runtime/store/index.ts";
import { POSTGRES } from "../helpers/engines.ts";
import { startPgProxy, type PgProxy } from "../helpers/pg-proxy.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let proxy: PgProxy;
let dropSchema: () => Promise<void>;

beforeAll(async () => {
  const engine = await POSTGRES.create();
  dropSchema = engine.cleanup;
  const target = new URL(engine.options.databaseUrl!);
  proxy = await startPgProxy(Number(target.port || 5432), target.hostname);
  const store = await openStore({
    dataDir: "",
    databaseUrl: proxy.url(target.pathname.slice(1)),
    schema: engine.options.schema,
  });
  api = await startApi([join(FIXTURE_APPS, "app-probe")], { runtime: { store } });
});
afterAll(async () => {
  await api.close();
  await proxy.close();
  await dropSchema();
});

async function addRecord(): Promise<string> {
  const res = await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }]);
  return res.json()[0].data.id;
}

const countOf = async (id: string) => (await api.store.getRecord("DEMO", id))!.fields.c_count;

describe("a connection lost at COMMIT", () => {
  it("after the server committed: 503 commit_unknown, the run says committed, a keyed retry is not applied twice", async () => {
    const id = await addRecord();
    const cut = proxy.cutAtNextCommit("after");
    const headers = { ...api.auth, "idempotency-key": "retry-after-cut-1" };
    const first = await api.post("/api/tickets/multi", [{ id, transition: "increment" }], headers);
    await cut;
    expect(first.statusCode).toBe(503);
    expect(first.headers["retry-after"]).toBeDefined();
    const { error } = first.json();
    expect(error.code).toBe("commit_unknown");
    expect(error.runId).toEqual(expect.any(String));

    const run = (await api.get(`/api/runs/${error.runId}`)).json();
    expect(run).toMatchObject({ runId: error.runId, committed: true, recordId: id });
    expect(await countOf(id)).toBe(1);

    const retry = await api.post("/api/tickets/multi", [{ id, transition: "increment" }], headers);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()[0]).toMatchObject({ successful: true, replayed: true, data: { c_count: 1 } });
    expect(await countOf(id)).toBe(1);
  });

  it("before the server got it: 503 commit_unknown, the run says not committed, a keyed retry applies it once", async () => {
    const id = await addRecord();
    const cut = proxy.cutAtNextCommit("before");
    const headers = { ...api.auth, "idempotency-key": "retry-after-cut-2" };
    const first = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id }, headers);
    await cut;
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({ ok: false, error: { code: "commit_unknown" } });
    const runId = first.json().runId;

    const run = (await api.get(`/api/runs/${runId}`)).json();
    expect(run).toMatchObject({ runId, committed: false, run: { ok: false, errorCode: "commit_unknown" } });
    expect(await countOf(id)).toBe(0);

    const retry = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id }, headers);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ ok: true, entity: { c_count: 1 } });
    const again = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id }, headers);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await countOf(id)).toBe(1);
  });

  it("shows a run only to its caller or an admin", async () => {
    const id = await addRecord();
    const res = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id });
    const runId = res.json().runId;
    expect((await api.get(`/api/runs/${runId}`)).json()).toMatchObject({ committed: true });
    const { createToken } = await import("../../runtime/server/auth.ts");
    const other = await createToken(api.store, { id: "mallory" });
    const denied = await api.get(`/api/runs/${runId}`, { authorization: `CMW_AUTH_CODE ${other}` });
    expect(denied.statusCode).toBe(403);
  });
});

/**
 * One record locked by another session: commits waiting on it give up after the lock timeout
 * (409 conflict, nothing written) instead of holding every connection, and reads and auth keep
 * working meanwhile (they have their own pool). A request whose time runs out while its commit
 * waits answers 503 commit_unknown with the run id, never a plain failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import pg from "pg";
import { openStore } from "../../runtime/store/index.ts";
import { POSTGRES } from "../helpers/engines.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let locked: TestServerApi;
let patient: TestServerApi;
let schema: string;
let url: string;
let dropSchema: () => Promise<void>;

beforeAll(async () => {
  const engine = await POSTGRES.create();
  dropSchema = engine.cleanup;
  schema = engine.options.schema!;
  url = engine.options.databaseUrl!;
  const open = (lockTimeoutMs: number) =>
    openStore({
      dataDir: "",
      databaseUrl: url,
      schema,
      pool: { size: 3, lockTimeoutMs, acquireTimeoutMs: 60_000 },
    });
  const apps = [join(FIXTURE_APPS, "app-probe")];
  locked = await startApi(apps, {
    runtime: { store: await open(1_000) },
    server: { requestTimeoutMs: 60_000 },
  });
  patient = await startApi(apps, {
    runtime: { store: await open(60_000) },
    server: { requestTimeoutMs: 2_000 },
  });
});
afterAll(async () => {
  await locked.close();
  await patient.close();
  await dropSchema();
});

async function lockRecord(id: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query("BEGIN");
  await client.query("SELECT id FROM records WHERE id = $1 FOR UPDATE", [id]);
  return client;
}

async function addRecord(api: TestServerApi): Promise<string> {
  const res = await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }]);
  return res.json()[0].data.id;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

describe("a held row lock", () => {
  it("fails waiting commits with 409 after the lock timeout while reads and auth keep answering", async () => {
    const id = await addRecord(locked);
    const other = await addRecord(locked);
    const locker = await lockRecord(id);
    try {
      const edits = Array.from({ length: 12 }, () =>
        locked.post("/api/tickets/multi", [{ id, transition: "increment" }]),
      );
      const common = await within(locked.get("/api/common"), 20_000, "/api/common");
      expect(common.statusCode).toBe(200);
      const list = await within(
        locked.post("/api/w/DEMO/a/PROBE/tickets/list", { rlx: "c_count=0" }),
        20_000,
        "tickets/list",
      );
      expect(list.statusCode).toBe(200);
      expect(list.json().map((record: { id: string }) => record.id)).toContain(id);
      const answers = await Promise.all(edits);
      for (const answer of answers) {
        // The batch's only item failed: the answer has the item's status (409) and lists it.
        expect(answer.statusCode).toBe(409);
        expect(answer.json().results[0]).toMatchObject({ successful: false, error: { code: "conflict" } });
      }
      expect(answers[0].json().error.message).toMatch(/locked by another transaction/);
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
    expect((await locked.store.getRecord("DEMO", id))!.fields.c_count).toBe(0);
    const after = await locked.post("/api/tickets/multi", [{ id: other, transition: "increment" }]);
    expect(after.json()[0].successful).toBe(true);
  }, 120_000);

  it("answers a request whose time runs out during its commit with 503 commit_unknown and the run id", async () => {
    const id = await addRecord(patient);
    const locker = await lockRecord(id);
    let answer: Awaited<ReturnType<TestServerApi["post"]>>;
    try {
      answer = await patient.post("/api/tickets/multi", [{ id, transition: "increment" }]);
    } finally {
      await locker.query("COMMIT");
      await locker.end();
    }
    expect(answer.statusCode).toBe(503);
    const { error } = answer.json();
    expect(error.code).toBe("commit_unknown");
    expect(error.runIds).toHaveLength(1);
    // Once the lock is gone the waiting commit goes through; the run tells the client so.
    const deadline = Date.now() + 30_000;
    let run = (await patient.get(`/api/runs/${error.runIds[0]}`)).json();
    while (!run.committed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await patient.get(`/api/runs/${error.runIds[0]}`)).json();
    }
    expect(run.committed).toBe(true);
    expect((await patient.store.getRecord("DEMO", id))!.fields.c_count).toBe(1);
  }, 120_000);
});

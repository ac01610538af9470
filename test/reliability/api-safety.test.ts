/**
 * What lets REST clients retry and write safely: Idempotency-Key, expected revisions
 * (`revision` / If-Match), refusal of absurdly nested JSON, and `app_alias` checked on edits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createToken } from "../../runtime/server/auth.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;

beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe"), join(FIXTURE_APPS, "app-http")]);
});
afterAll(async () => {
  await api.close();
});

async function addRecord(values: Record<string, unknown> = { c_count: 0 }, app = "PROBE") {
  const res = await api.post("/api/tickets/multi", [{ transition: "add", app_alias: app, ...values }]);
  return res.json()[0].data as { id: string; revision: number };
}

const stored = async (id: string) => (await api.store.getRecord("DEMO", id))!;
const keyed = (key: string) => ({ ...api.auth, "idempotency-key": key });

/** JSON text nested `depth` objects deep (JSON.stringify itself overflows on such values). */
const nestedJson = (depth: number) => `${'{"child":'.repeat(depth)}"leaf"${"}".repeat(depth)}`;

const postRaw = (url: string, body: string) =>
  api.server.inject({
    method: "POST",
    url,
    payload: body,
    headers: { ...api.auth, "content-type": "application/json" },
  });

describe("Idempotency-Key", () => {
  it("answers a retry from the first run and applies the batch once", async () => {
    const { id } = await addRecord();
    const batch = [
      { id, transition: "increment" },
      { transition: "add", app_alias: "PROBE", title: "made once" },
    ];
    const first = await api.post("/api/tickets/multi", batch, keyed("batch-1"));
    const retry = await api.post("/api/tickets/multi", batch, keyed("batch-1"));
    expect(first.statusCode).toBe(200);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.json()).toEqual(first.json());
    expect((await stored(id)).fields.c_count).toBe(1);
    const made = await api.store.findRecords({
      workspace: "DEMO",
      app: "PROBE",
      where: { title: "made once" },
    });
    expect(made).toHaveLength(1);
  });

  it("applies concurrent duplicates once", async () => {
    const { id } = await addRecord();
    const body = [{ id, transition: "increment" }];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.post("/api/tickets/multi", body, keyed("burst-1"))),
    );
    for (const answer of answers) expect(answer.json()[0].successful).toBe(true);
    expect((await stored(id)).fields.c_count).toBe(1);
  });

  it("refuses the same key with another body, and scopes keys to the caller", async () => {
    const { id } = await addRecord();
    await api.post("/api/tickets/multi", [{ id, transition: "increment" }], keyed("scoped-1"));
    const other = await api.post(
      "/api/tickets/multi",
      [{ id, transition: "edit", c_note: "x" }],
      keyed("scoped-1"),
    );
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("idempotency_mismatch");
    const bob = await createToken(api.store, { id: "bob" });
    const bobs = await api.post("/api/tickets/multi", [{ id, transition: "increment" }], {
      authorization: `CMW_AUTH_CODE ${bob}`,
      "idempotency-key": "scoped-1",
    });
    expect(bobs.headers["idempotent-replayed"]).toBeUndefined();
    expect((await stored(id)).fields.c_count).toBe(2);
    const bad = await api.post(
      "/api/tickets/multi",
      [{ id, transition: "increment" }],
      keyed("x".repeat(300)),
    );
    expect(bad.statusCode).toBe(400);
  });

  it("works on the action endpoint too", async () => {
    const { id } = await addRecord();
    const first = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id }, keyed("action-1"));
    const retry = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id }, keyed("action-1"));
    expect(retry.json()).toEqual(first.json());
    expect((await stored(id)).fields.c_count).toBe(1);
  });
});

describe("expected revision", () => {
  it("refuses a tickets/multi edit based on a stale revision with a per-item 409 and writes nothing", async () => {
    const { id, revision } = await addRecord({ c_note: "original" });
    await api.post("/api/tickets/multi", [{ id, transition: "edit", c_note: "theirs" }]);
    const res = await api.post("/api/tickets/multi", [
      { id, transition: "edit", c_note: "mine", revision },
      { id, transition: "edit", c_flag: true },
    ]);
    const [stale, unconditional] = res.json();
    expect(stale).toMatchObject({ successful: false, error: { code: "conflict" } });
    expect(stale.error.message).toMatch(/revision 2, not 1/);
    expect(unconditional.successful).toBe(true);
    expect((await stored(id)).fields.c_note).toBe("theirs");
    const current = (await stored(id)).revision;
    const fresh = await api.post("/api/tickets/multi", [
      { id, transition: "edit", c_note: "mine", revision: current },
    ]);
    expect(fresh.json()[0]).toMatchObject({
      successful: true,
      data: { c_note: "mine", revision: current + 1 },
    });
  });

  it("takes If-Match on the action endpoint", async () => {
    const { id, revision } = await addRecord();
    const ok = await api.post(
      "/api/apps/DEMO/PROBE/actions/increment",
      { id },
      { ...api.auth, "if-match": `"${revision}"` },
    );
    expect(ok.statusCode).toBe(200);
    const stale = await api.post(
      "/api/apps/DEMO/PROBE/actions/increment",
      { id },
      { ...api.auth, "if-match": `"${revision}"` },
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("conflict");
    const bad = await api.post(
      "/api/apps/DEMO/PROBE/actions/increment",
      { id },
      { ...api.auth, "if-match": "yesterday" },
    );
    expect(bad.statusCode).toBe(400);
    expect((await stored(id)).fields.c_count).toBe(1);
  });
});

describe("deeply nested JSON", () => {
  it("is refused with 400 validation_error and leaves nothing behind", async () => {
    const { id } = await addRecord();
    for (const depth of [3_000, 6_000]) {
      const res = await postRaw(
        "/api/tickets/multi",
        `[{"id":"${id}","transition":"edit","c_data":${nestedJson(depth)}}]`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("validation_error");
      expect(res.json().error.message).toMatch(/more than 64 levels/);
    }
    const action = await postRaw(
      "/api/apps/DEMO/PROBE/actions/increment",
      `{"id":"${id}","values":{"c_data":${nestedJson(100)}}}`,
    );
    expect(action.statusCode).toBe(400);
    const fine = await postRaw(
      "/api/tickets/multi",
      `[{"id":"${id}","transition":"edit","c_data":${nestedJson(20)}}]`,
    );
    expect(fine.json()[0].successful).toBe(true);
    expect((await stored(id)).revision).toBe(2);
  });
});

describe("app_alias on edit and delete items", () => {
  it("is an error for that item when it names another app than the record's", async () => {
    const { id } = await addRecord({ c_note: "keep" });
    const res = await api.post("/api/tickets/multi", [
      { id, app_alias: "HTTPPROBE", transition: "edit", c_note: "hijacked" },
      { id, app_alias: "HTTPPROBE", transition: "delete" },
      { id, app_alias: "probe", transition: "edit", c_flag: true },
    ]);
    const [edit, del, matching] = res.json();
    expect(edit).toMatchObject({ successful: false, error: { code: "bad_request" } });
    expect(edit.error.message).toMatch(/record of app PROBE, not HTTPPROBE/);
    expect(del.successful).toBe(false);
    expect(matching.successful).toBe(true);
    expect((await stored(id)).fields.c_note).toBe("keep");
  });
});

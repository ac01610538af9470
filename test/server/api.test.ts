import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { EXAMPLE_APPS, FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { startMockCrm, type MockCrm } from "../fixtures/mock-crm.ts";

let api: TestServerApi;
let crm: MockCrm;

beforeAll(async () => {
  crm = await startMockCrm();
  api = await startApi([join(FIXTURE_APPS, "app-probe"), join(EXAMPLE_APPS, "app-crm-contact")], {
    runtime: {
      allowHosts: ["127.0.0.1"],
      secrets: { COMIND_SECRET_CRM_API_KEY: crm.apiKey, COMIND_SECRET_CRM_BASE_URL: crm.url },
    },
  });
});
afterAll(async () => {
  await api.close();
  await crm.close();
});

async function add(values: Record<string, unknown>, app = "PROBE") {
  const res = await api.post("/api/tickets/multi", [{ transition: "add", app_alias: app, ...values }]);
  expect(res.statusCode).toBe(200);
  const [item] = res.json();
  expect(item.successful).toBe(true);
  return item.data as Record<string, any>;
}

describe("auth", () => {
  it("refuses missing, wrong and unsupported credentials with a JSON 401", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "CMW_AUTH_CODE wrong" },
      { authorization: "Bearer abc.def.ghi" },
      { authorization: "Basic abc" },
    ];
    for (const headers of attempts) {
      const res = await api.get("/api/common", headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("unauthorized");
    }
  });

  it("answers /api/common for a valid token", async () => {
    const res = await api.get("/api/common");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: "alice", name: "Alice", is_admin: false },
      server: { workspace: "DEMO", apps: ["PROBE", "CONTACT"] },
    });
  });

  it("stores tokens hashed", async () => {
    expect(await api.store.findToken(api.token)).toBeNull();
  });
});

describe("tickets/multi", () => {
  it("reads the record once per action and answers it as the commit stored it", async () => {
    const created = await add({ title: "Read once", c_count: 1 });
    const reads = vi.spyOn(api.store, "getRecord");
    try {
      const res = await api.post("/api/tickets/multi", [{ id: created.id, transition: "increment" }]);
      const [item] = res.json();
      expect(item).toMatchObject({ successful: true, data: { id: created.id, c_count: 2, revision: 2 } });
      expect(reads).toHaveBeenCalledTimes(1);
      const stored = (await api.store.getRecord("DEMO", created.id))!;
      expect(item.data).toMatchObject({ ...stored.fields, update_date: stored.updateDate });
    } finally {
      reads.mockRestore();
    }
  });

  it("adds, edits, runs an action and deletes; currentUser is the caller", async () => {
    const created = await add({ title: "First", c_count: 1 });
    expect(created).toMatchObject({
      title: "First",
      c_count: 1,
      publishing_alias: "PROBE",
      project_alias: "DEMO",
      number: expect.any(Number),
    });
    expect(created.transitions).toEqual(expect.arrayContaining(["edit", "delete", "increment"]));
    const res = await api.post("/api/tickets/multi", [
      { id: created.id, transition: "edit", c_note: "edited" },
      { id: created.id, transition: "increment" },
      { id: created.id, transition: "probe_globals" },
    ]);
    const [edit, increment, probe] = res.json();
    expect(edit).toMatchObject({ successful: true, updated: true, data: { c_note: "edited" } });
    expect(increment).toMatchObject({ successful: true, data: { c_count: 2 } });
    expect(probe.data.c_data.user).toBe("alice");
    const deleted = (await api.post("/api/tickets/multi", [{ id: created.id, transition: "delete" }])).json();
    expect(deleted[0]).toMatchObject({ successful: true, deleted: true });
    expect(await api.store.getRecord("DEMO", created.id)).toBeNull();
  });

  it("commits each item on its own: one failing item does not stop the others", async () => {
    const res = await api.post("/api/tickets/multi", [
      { transition: "add", app_alias: "PROBE", title: "ok 1" },
      { transition: "add", app_alias: "PROBE", title: "bad", c_count: "seven" },
      { transition: "throw_string", id: "no-such-record" },
      { transition: "add", app_alias: "PROBE", title: "ok 2" },
    ]);
    const items = res.json();
    expect(items.map((i: any) => i.successful)).toEqual([true, false, false, true]);
    expect(items[1].error).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining('"c_count"'),
    });
    expect(items[2].error.code).toBe("not_found");
    const failing = await add({ title: "will throw" });
    const thrownRes = await api.post("/api/tickets/multi", [{ id: failing.id, transition: "throw_error" }]);
    expect(thrownRes.statusCode).toBe(422); // its only item failed: the item's error status
    const thrown = thrownRes.json().results[0];
    expect(thrown.error).toMatchObject({
      code: "logic_error",
      stack: expect.stringContaining("actions/logic/index.ts:"),
    });
  });

  it("refuses an action whose precondition is false", async () => {
    const record = await add({ c_flag: false });
    expect(record.transitions).not.toContain("approve");
    const refused = await api.post("/api/tickets/multi", [{ id: record.id, transition: "approve" }]);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().results[0].error.code).toBe("precondition_failed");
    const allowed = await add({ c_flag: true });
    expect(allowed.transitions).toContain("approve");
  });

  it("fires a trigger that calls a local HTTP API and writes the result to the record", async () => {
    const trigger = await add({ title: "CRM sync" }, "CONTACT");
    const [item] = (
      await api.post("/api/tickets/multi", [{ id: trigger.id, transition: "sync_contacts" }])
    ).json();
    expect(item).toMatchObject({ successful: true, data: { c_last_sync_status: "Synced 3 contacts" } });
    expect(item.logs.map((l: any) => l.message)).toContain("Import complete: 3 created, 0 updated");
  });

  it("validates the batch shape", async () => {
    expect((await api.post("/api/tickets/multi", { transition: "add" })).statusCode).toBe(400);
    // No transition, no id, no app_alias: that item fails with a message saying what to send, and
    // since every item of the batch failed, so does the request (a status-only client sees it).
    const res = await api.post("/api/tickets/multi", [{ title: "no transition" }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().results[0]).toMatchObject({ successful: false, error: { code: "bad_request" } });
    expect(res.json().error.message).toMatch(/transition/);
    const missingApp = (await api.post("/api/tickets/multi", [{ transition: "add" }])).json().results[0];
    expect(missingApp.error.message).toMatch(/app_alias/);
  });
});

describe("tickets/list", () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    ids = {};
    for (const [key, count, state] of [
      ["alpha", 5, "open"],
      ["beta", 1500, "closed"],
      ["gamma", 20, "open"],
      ["delta", 2000, null],
    ] as const) {
      ids[key] = (
        await add({
          title: `List ${key}`,
          c_key: `list-${key}`,
          c_count: count,
          state,
          c_note: `note "${key}"`,
        })
      ).id;
    }
  });
  const list = async (body: Record<string, unknown>, query = "") => {
    const res = await api.post(`/api/w/DEMO/a/PROBE/tickets/list${query}`, { limitRecords: 100, ...body });
    return { status: res.statusCode, json: res.json() };
  };
  const titles = (records: any[]) =>
    records
      .map((r) => r.title)
      .filter((t: string) => t?.startsWith("List "))
      .sort();

  it("filters with every operator", async () => {
    expect(titles((await list({ rlx: 'state="open"' })).json)).toEqual(["List alpha", "List gamma"]);
    expect(titles((await list({ rlx: 'c_count>1000 AND c_key~"list-"' })).json)).toEqual([
      "List beta",
      "List delta",
    ]);
    expect(titles((await list({ rlx: 'state!="closed" AND c_key~"list-"' })).json)).toEqual([
      "List alpha",
      "List delta",
      "List gamma",
    ]);
    expect(titles((await list({ rlx: 'c_key in "list-alpha,list-delta":string[]' })).json)).toEqual([
      "List alpha",
      "List delta",
    ]);
    expect(titles((await list({ rlx: 'c_count<=20 AND c_count>=5 AND c_key~"list"' })).json)).toEqual([
      "List alpha",
      "List gamma",
    ]);
    expect(
      titles((await list({ rlx: '(c_key="list-alpha" OR c_key="list-beta") AND c_count<1000' })).json),
    ).toEqual(["List alpha"]);
    expect(titles((await list({ rlx: 'c_note="note \\"beta\\""' })).json)).toEqual(["List beta"]);
    expect(titles((await list({ rlx: 'c_key~"list" AND state=null' })).json)).toEqual(["List delta"]);
  });

  it("sorts, pages, picks fields and counts", async () => {
    const sorted = (
      await list({ rlx: 'c_key~"list-"', sortBy: "c_count desc", limitRecords: 2, skipRecords: 1 })
    ).json;
    expect(sorted.map((r: any) => r.title)).toEqual(["List beta", "List gamma"]);
    const picked = (await list({ rlx: 'c_key="list-alpha"', listOfFields: "title" })).json[0];
    expect(Object.keys(picked).sort()).toEqual([
      "id",
      "number",
      "project_alias",
      "publishing_alias",
      "revision",
      "slug",
      "title",
      "transitions",
    ]);
    expect(picked.slug).toBe(`DEMO/${picked.publishing_alias}${picked.number}`);
    const counted = (await list({ rlx: 'c_key~"list-"', limitRecords: 1 }, "?withTechnicalData=true")).json;
    expect(counted.data).toHaveLength(1);
    expect(counted.filteredRecordsCount).toBe(4);
    expect(counted.unfilteredRecordsCount).toBeGreaterThanOrEqual(4);
    const all = (await api.post("/api/tickets/list", { limitRecords: 1000 })).json();
    expect(all.length).toBeGreaterThan(10);
    const defaults = await api.post("/api/tickets/list", {});
    expect(defaults.json()).toHaveLength(10);
  });

  it("lists across the workspace", async () => {
    const res = await api.post("/api/tickets/list", { rlx: 'publishing_alias="CONTACT"', limitRecords: 100 });
    expect(res.json().length).toBeGreaterThan(0);
    expect(res.json().every((r: any) => r.publishing_alias === "CONTACT")).toBe(true);
  });

  it("answers a malformed filter with 400 naming the position, and injection finds nothing", async () => {
    const bad = await list({ rlx: 'state="open" AND (c_count>' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/position \d+/),
    });
    const injection = await list({ rlx: `title="x' OR 1=1 --" OR c_key="'; DROP TABLE records; --"` });
    expect(injection.status).toBe(200);
    expect(injection.json).toEqual([]);
    expect(titles((await list({ rlx: 'c_key~"list-"' })).json)).toHaveLength(4);
    const badField = await list({ rlx: 'c_key;DROP="x"' });
    expect(badField.status).toBe(400);
  });

  it("returns 404 for unknown workspaces and apps", async () => {
    expect((await api.post("/api/w/OTHER/a/PROBE/tickets/list", {})).statusCode).toBe(404);
    const unknownApp = await api.post("/api/w/DEMO/a/NOPE/tickets/list", {});
    expect(unknownApp.statusCode).toBe(404);
    expect(unknownApp.json().error.code).toBe("not_found");
  });
});

describe("search, history, schema", () => {
  it("finds records by words in text fields", async () => {
    await add({ title: "Quarterly invoice for Acme Corporation", description: "paid in full" });
    await add({ title: "Unrelated", description: "nothing here" });
    const res = await api.post("/api/tickets/search", { query: "acme invoice" });
    expect(res.json().map((r: any) => r.title)).toEqual(["Quarterly invoice for Acme Corporation"]);
    expect((await api.post("/api/tickets/search", { query: "corpor" })).json()).toHaveLength(1);
    expect((await api.post("/api/tickets/search", { query: '"; DROP' })).statusCode).toBe(200);
    expect((await api.post("/api/tickets/search", {})).statusCode).toBe(400);
  });

  it("returns the history of a record with field diffs", async () => {
    const record = await add({ title: "History", c_count: 1 });
    await api.post("/api/tickets/multi", [
      { id: record.id, transition: "edit", c_count: 5 },
      { id: record.id, transition: "increment" },
    ]);
    const history = (await api.post("/api/tickets/history", { id: record.id })).json();
    expect(history.map((h: any) => [h.revision, h.transition, h.version_account])).toEqual([
      [1, "add", "alice"],
      [2, "edit", "alice"],
      [3, "increment", "alice"],
    ]);
    expect(history[2].changes).toEqual([{ field: "c_count", old_value: 5, new_value: 6 }]);
    expect(history[2].version_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("describes apps and the workspace", async () => {
    const schema = (await api.get("/api/schema/DEMO!CONTACT")).json();
    expect(schema.fields.map((f: any) => f.name)).toEqual(
      expect.arrayContaining(["title", "c_email", "c_last_sync_date"]),
    );
    expect(schema.actions.map((a: any) => a.uid)).toEqual(["add", "edit", "delete", "sync_contacts"]);
    const project = (await api.get("/api/projects/DEMO!WORKSPACE")).json();
    expect(project.apps.map((a: any) => a.alias)).toEqual(["PROBE", "CONTACT"]);
    expect((await api.get("/api/schema/DEMO!NOPE")).statusCode).toBe(404);
    expect((await api.get("/api/schema/garbage")).statusCode).toBe(400);
  });

  it("serves an OpenAPI description generated from the routes", async () => {
    const res = await api.get("/api/openapi.json", {});
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining([
        "/api/tickets/multi",
        "/api/w/{ws}/a/{app}/tickets/list",
        "/api/apps/{ws}/{app}/actions/{uid}",
      ]),
    );
  });
});

describe("action endpoint", () => {
  it("runs an action and returns the CLI's JSON shape", async () => {
    const record = await add({ c_count: 41 });
    const ok = await api.post(`/api/apps/DEMO/PROBE/actions/increment`, { id: record.id });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      ok: true,
      entity: { c_count: 42 },
      logs: [{ level: "log", message: "count is now 42" }],
    });
    const failed = await api.post(`/api/apps/DEMO/PROBE/actions/throw_string`, { id: record.id });
    expect(failed.statusCode).toBe(422);
    expect(failed.json()).toMatchObject({
      ok: false,
      error: { code: "logic_error", message: "Something is wrong with this record" },
    });
  });
});

describe("admin stats", () => {
  it("is for admins only and shows warm isolates", async () => {
    expect((await api.get("/api/admin/stats")).statusCode).toBe(403);
    const { createToken } = await import("../../runtime/server/auth.ts");
    const admin = await createToken(api.store, { id: "root", isAdmin: true });
    const res = await api.get("/api/admin/stats", { authorization: `CMW_AUTH_CODE ${admin}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      workspace: "DEMO",
      store: "sqlite",
      workerCrashes: 0,
      limits: { cpuMs: 5000 },
    });
    expect(
      res
        .json()
        .inProcessIsolates.some((entry: any) => entry.key.startsWith("PROBE:") && entry.isolates >= 1),
    ).toBe(true);
  });
});

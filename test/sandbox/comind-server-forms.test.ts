// Unit tests of the documented ComindServer / currentUser / AppSchema forms, one case per call,
// through the real runtime (bundle, isolate, unit of work) on a throwaway SQLite store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime();
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-forms"));
  await t.store.directory.saveGroup("qa");
  await t.store.directory.saveUser({
    id: "quinn",
    email: null,
    name: "Quinn",
    timeZone: null,
    companyId: null,
    isGlobalAdmin: false,
  });
  await t.store.directory.addGroupMember("qa", "quinn");
  for (const n of [1, 2, 3, 4])
    await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "add",
      values: { title: `s${n}`, c_kind: "seed", c_n: n },
    });
  await t.runtime.run({
    caller: asDeveloper(),
    app: "FORMS",
    action: "add",
    values: { title: "mine", c_kind: "quinn" },
  });
});
afterAll(() => t.close());

async function runCase(name: string, user?: { id: string }) {
  const result = await t.runtime.run({
    caller: asDeveloper(user),
    app: "FORMS",
    action: "run_case",
    values: { c_case: name },
  });
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.entity.c_result as { value?: any; code?: string; message?: string };
}

describe("ComindServer queries", () => {
  it("exposes the running action's uid as ComindServer.action", async () => {
    expect((await runCase("action")).value).toBe("run_case");
  });

  it("keeps our equality-object form and (values, appAlias) create form working", async () => {
    expect((await runCase("legacy_query")).value).toEqual(["s1", "s2", "s3", "s4"]);
    expect((await runCase("legacy_create")).value).toEqual(["legacy", ["legacy"]]);
  });

  it("takes (wksApp, relex, fields, sortBy) with an rlx filter", async () => {
    expect((await runCase("positional")).value).toEqual(["s4", "s3", "s2"]);
  });

  it("projects `fields` (plus id) and queryApp returns one record", async () => {
    const { value } = await runCase("projection");
    expect(Object.keys(value).sort()).toEqual(["c_n", "id"]);
  });

  it("takes the params object with limitRecords / skipRecords", async () => {
    expect((await runCase("params")).value).toEqual(["s2", "s3"]);
  });

  it("substitutes {current-user} in the filter", async () => {
    expect((await runCase("current_user_filter", { id: "quinn" })).value).toEqual(["mine"]);
  });

  it("sees the action's own uncommitted creates and deletes", async () => {
    expect((await runCase("pending_visible")).value).toEqual([["fresh"], []]);
  });

  it("answers *Cached calls from the action's cache, plain calls from the store", async () => {
    expect((await runCase("cached")).value).toEqual([4, 4, 5, true]);
    // The cache ended with the action: the next one sees the committed record.
    expect((await runCase("cached")).value).toEqual([5, 5, 6, true]);
  });

  it("keys the *Cached answers by the effective user: runAsUser never gets another user's answer", async () => {
    await t.store.directory.saveUser({
      id: "ursula",
      email: null,
      name: "Ursula",
      timeZone: null,
      companyId: null,
      isGlobalAdmin: false,
    });
    await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "add",
      values: { title: "hers", c_kind: "ursula" },
    });
    await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "add",
      values: { title: "cache probe", c_kind: "probe" },
    });
    expect((await runCase("cached_per_user", { id: "quinn" })).value).toEqual([["mine"], ["hers"]]);
  });

  it.each([
    ["other_workspace", "not_found", /Workspace ELSEWHERE is not served here/],
    ["bad_wks_app", "bad_request", /must be "WORKSPACE!APP"/],
    ["bad_rlx", "bad_request", /Invalid rlx filter at position 5/],
    ["other_app", "forbidden", /comindApp.dependsOn/],
  ])("refuses %s with a clear error", async (name, code, message) => {
    const result = await runCase(name);
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
  });
});

describe("ComindServer writes, lookups, Acls, access passes", () => {
  it("bulk-creates and bulk-deletes (counting only records that existed)", async () => {
    expect((await runCase("bulk")).value).toEqual([2, { deleted: 2 }]);
    expect((await runCase("bulk_bad")).message).toMatch(/bulkCreateAppRecords: pass/);
    // The documented forms answer every match (not a first page) unless limitRecords says fewer.
    expect((await runCase("many")).value).toEqual([150, 20]);
  });

  it("builds ACL entries for groups and meta groups", async () => {
    expect((await runCase("acls")).value).toEqual(["group:Sales", "metagroup:everyone"]);
    expect((await runCase("acls_bad")).message).toMatch(/Acls.group: pass a group name/);
  });

  it("resolves and matches lookup options; refuses a field that is not a lookup", async () => {
    expect((await runCase("lookup")).value).toEqual([
      { value: "high", caption: "high", position: 2 },
      "low",
      null,
    ]);
    expect((await runCase("lookup_bad")).code).toBe("bad_request");
    // lookupApp: captions are the titles of the app's records (exact match, any case).
    expect((await runCase("lookup_app")).value).toEqual(["s2", "number", null]);
  });

  it("gives access passes only for saved records and bounded lifetimes", async () => {
    expect((await runCase("pass_unsaved")).message).toMatch(/not saved yet/);
    expect((await runCase("pass_ttl")).message).toMatch(/ttlSeconds must be between 1 and 604800/);
  });

  it("checks runAsUser against the app's permissions, whatever form names the app", async () => {
    expect((await runCase("run_as_quinn")).value).toBe("by quinn");
    await t.store.directory.saveGroup("forms-writers");
    await t.store.directory.grant({
      workspace: "DEMO",
      app: "FORMS",
      group: "forms-writers",
      permission: "write",
    });
    try {
      const refused = await runCase("run_as_quinn");
      expect(refused.code).toBe("forbidden");
      expect(refused.message).toMatch(/quinn may not change records of app FORMS/);
      await t.store.directory.addGroupMember("forms-writers", "quinn");
      expect((await runCase("run_as_quinn")).value).toBe("by quinn");
    } finally {
      await t.store.directory.revoke({
        workspace: "DEMO",
        app: "FORMS",
        group: "forms-writers",
        permission: "write",
      });
    }
  });

  it("refuses runAsUser for a user the store does not know", async () => {
    const result = await runCase("run_as_unknown");
    expect(result.code).toBe("not_found");
    expect(result.message).toMatch(/user ghost does not exist/);
  });
});

describe("currentUser, AppSchema, records", () => {
  it("builds currentUser from the store's groups, with the documented checks", async () => {
    expect((await runCase("user", { id: "quinn" })).value).toEqual([
      "quinn",
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  it("treats the CLI/test default caller as a global admin", async () => {
    expect((await runCase("user")).value.slice(0, 3)).toEqual(["local-developer", true, true]);
  });

  it("loads the app's schema; install() confirms it; uninstall() is refused", async () => {
    expect((await runCase("schema")).value).toEqual(["FORMS", "DEMO", 7, "FORMS"]);
    expect((await runCase("uninstall")).code).toBe("forbidden");
  });

  it("mirrors every files-list field as <field>__list, both ways", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "run_case",
      values: { c_case: "docs_list" },
    });
    expect(result.ok && result.entity.c_result).toEqual({ value: null });
    expect(result.ok && result.entity.c_docs).toEqual([{ file_uid: "f-1", title: "one" }]);
    expect(result.ok && result.entity.c_docs__list).toEqual([{ file_uid: "f-1", title: "one" }]);
    const stored = await t.store.getRecord("DEMO", result.recordId!);
    expect(stored!.fields.c_docs).toEqual([{ file_uid: "f-1", title: "one" }]);
    expect(stored!.fields).not.toHaveProperty("c_docs__list");
  });

  it("has `records` = [entity] when the action runs on one record", async () => {
    expect((await runCase("records_single")).value).toEqual([1, true]);
  });
});

describe("mass actions", () => {
  async function make(title: string, c_kind = "mass") {
    const made = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "add",
      values: { title, c_kind },
    });
    if (!made.ok) throw new Error(made.error.message);
    return made.recordId;
  }

  it("runs once with `records`, saves every record's changes, and checks every precondition", async () => {
    const ids = [await make("m1"), await make("m2"), await make("m3")];
    const run = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "run_case",
      recordIds: ids,
      values: { c_case: "mass" },
    });
    expect(run.ok && run.entity.c_result).toEqual({ value: [3, true, ["m1", "m2", "m3"]] });
    expect(run.ok && run.recordIds).toEqual(ids);
    for (const [i, id] of ids.entries()) {
      const stored = await t.store.getRecord("DEMO", id);
      expect(stored!.fields).toMatchObject({ c_n: 100 + i, c_case: "mass" });
    }
    const locked = await make("locked", "locked");
    const refused = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "run_case",
      recordIds: [ids[0], locked],
      values: { c_case: "mass" },
    });
    expect(!refused.ok && refused.error.code).toBe("precondition_failed");
    expect((await t.store.getRecord("DEMO", ids[0]))!.revision).toBe(2);
  });

  it("works the same when isolates run in a worker process", async () => {
    const w = await startRuntime({ workers: 1 });
    try {
      await w.runtime.loadApp(join(FIXTURE_APPS, "app-forms"));
      const ids = [];
      for (const title of ["w1", "w2"]) {
        const made = await w.runtime.run({
          caller: asDeveloper(),
          app: "FORMS",
          action: "add",
          values: { title },
        });
        ids.push(made.recordId!);
      }
      const run = await w.runtime.run({
        caller: asDeveloper(),
        app: "FORMS",
        action: "run_case",
        recordIds: ids,
        values: { c_case: "mass" },
      });
      expect(run.ok && run.entity.c_result).toEqual({ value: [2, true, ["w1", "w2"]] });
      expect((await w.store.getRecord("DEMO", ids[1]))!.fields.c_n).toBe(101);
    } finally {
      await w.close();
    }
  });

  it("refuses a mass add, an empty list and a repeated id", async () => {
    const id = await make("once");
    for (const [action, recordIds] of [
      ["add", [id]],
      ["run_case", []],
      ["run_case", [id, id]],
    ] as const) {
      const run = await t.runtime.run({
        caller: asDeveloper(),
        app: "FORMS",
        action,
        recordIds: [...recordIds],
      });
      expect(!run.ok && run.error.code).toBe("bad_request");
    }
  });
});

describe("base actions copy, move, archive", () => {
  it("copies into a new record, moves to a submitted state, archives", async () => {
    const made = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "add",
      values: { title: "orig", c_n: 5 },
    });
    if (!made.ok) throw new Error(made.error.message);
    const copy = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "copy",
      recordId: made.recordId,
      values: { title: "dup" },
    });
    expect(copy.ok && copy.created && copy.recordId !== made.recordId).toBe(true);
    expect(copy.ok && copy.entity).toMatchObject({ title: "dup", c_n: 5 });
    const moved = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "move",
      recordId: made.recordId,
      values: { state: "review" },
    });
    expect(moved.ok && moved.entity.state).toBe("review");
    const noState = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "move",
      recordId: made.recordId,
    });
    expect(!noState.ok && noState.error.message).toMatch(/needs the target "state"/);
    const archived = await t.runtime.run({
      caller: asDeveloper(),
      app: "FORMS",
      action: "archive",
      recordId: made.recordId,
    });
    expect(archived.ok && archived.entity.state).toBe("archived");
  });
});

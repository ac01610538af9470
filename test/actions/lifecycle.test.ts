import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;
const SECRET = "probe-secret-value-42";

beforeAll(async () => {
  t = await startRuntime({
    secrets: { COMIND_SECRET_PROBE_TOKEN: SECRET, COMIND_SECRET_OTHER: "not-declared" },
  });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(() => t.close());

const run = (action: string, extra: Record<string, unknown> = {}) =>
  t.runtime.run({ caller: asDeveloper(), app: "PROBE", action, ...extra });

describe("action lifecycle", () => {
  it("creates the trigger record on a new record and updates it on the next run", async () => {
    const first = await run("increment");
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.created).toBe(true);
    expect(first.entity.c_count).toBe(1);
    expect(first.logs).toEqual([{ level: "log", message: "count is now 1" }]);
    const second = await run("increment", { recordId: first.recordId });
    expect(second.ok && second.entity.c_count).toBe(2);
    const history = await t.store.history("DEMO", first.recordId);
    expect(history.map((h) => h.revision)).toEqual([1, 2]);
    expect(history[1].changes).toEqual([{ field: "c_count", old: 1, new: 2 }]);
    expect(history[1].transition).toBe("increment");
  });

  it("applies submitted values before the logic and keeps entityOld frozen", async () => {
    const created = await run("increment", { values: { c_count: 10 } });
    expect(created.ok && created.entity.c_count).toBe(11);
    const result = await run("entity_old", { recordId: created.recordId, values: { c_count: 20 } });
    expect(result.ok && result.entity.c_note).toBe("old=11 new=20 frozen=yes");
  });

  it("turns a thrown string into a logic_error and writes nothing", async () => {
    const result = await run("throw_string");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("logic_error");
    expect(result.error.message).toBe("Something is wrong with this record");
    expect(await t.store.getRecord("DEMO", result.recordId!)).toBeNull();
  });

  it("logs the values of a failed run on a new record (to re-run it as one), and of no other run", async () => {
    const onNew = await run("throw_string", { values: { c_note: "keep me" } });
    const existing = await run("increment");
    const onExisting = await run("throw_string", { recordId: existing.recordId, values: { c_note: "x" } });
    const succeeded = await run("increment", { values: { c_note: "y" } });
    const logged = async (runId: string) => (await t.store.getRun(runId))?.newRecordValues;
    expect(await logged(onNew.runId)).toEqual({ c_note: "keep me" });
    expect(await logged(onExisting.runId)).toBeNull();
    expect(await logged(succeeded.runId)).toBeNull();
  });

  it("maps the stack of a thrown Error to the app's TypeScript lines", async () => {
    const result = await run("throw_error");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("logic_error");
    expect(result.error.message).toMatch(/Cannot read properties of null/);
    expect(result.error.stack).toMatch(
      /^TypeError: Cannot read properties of null \(reading 'missing'\)\n {4}at throw_error \(actions\/logic\/index\.ts:17:16\)$/,
    );
    expect(result.error.stack).not.toMatch(/node_modules|runtime\/|globals\/|comind-app:/);
  });

  it("rolls back rows imported before the logic threw", async () => {
    const result = await run("import_then_throw");
    expect(result.ok).toBe(false);
    const rows = await t.store.findRecords({ workspace: "DEMO", app: "PROBE", where: { c_key: "k1" } });
    expect(rows).toHaveLength(0);
    const runs = await t.store.listRuns({ app: "PROBE", failedOnly: true });
    expect(runs.some((r) => r.id === result.runId && r.errorMessage === "after import")).toBe(true);
  });

  it("importData reports created then updated and matches on key fields", async () => {
    const rows = [
      { c_key: "a", title: "A" },
      { c_key: "b", title: "B" },
      { c_key: "c", title: "C" },
    ];
    const first = await run("import_rows", { values: { c_data: { rows } } });
    expect(first.ok && first.entity.c_note).toBe("3 created, 0 updated");
    const second = await run("import_rows", {
      values: { c_data: { rows: rows.map((r) => ({ ...r, title: `${r.title}!` })) } },
    });
    expect(second.ok && second.entity.c_note).toBe("0 created, 3 updated");
    const stored = await t.store.findRecords({ workspace: "DEMO", app: "PROBE", where: { c_key: "b" } });
    expect(stored.map((r) => r.fields.title)).toEqual(["B!"]);
  });

  it("importData names the row without a key value", async () => {
    const result = await run("import_rows", {
      values: { c_data: { rows: [{ c_key: "x" }, { title: "no key" }] } },
    });
    expect(!result.ok && result.error).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining("row 1"),
    });
  });

  it("runs on the record the caller already read (no second read), and a stale one fails with conflict", async () => {
    const created = await run("increment");
    if (!created.ok) throw new Error("setup failed");
    const stored = (await t.store.getRecord("DEMO", created.recordId))!;
    // Taken as handed over, not read again: REST reads the record once per action.
    const handed = { ...stored, fields: { ...stored.fields, c_count: 40 } };
    const next = await run("increment", { recordId: stored.id, loaded: handed });
    expect(next.ok && next.entity.c_count).toBe(41);
    // A record read before someone else's commit: the revision check refuses it, nothing is written.
    const stale = await run("increment", { recordId: stored.id, loaded: stored });
    expect(!stale.ok && stale.error.code).toBe("conflict");
    expect(await t.store.getRecord("DEMO", stored.id)).toMatchObject({
      revision: 2,
      fields: { c_count: 41 },
    });
    // Another record's copy is never used for this one.
    const other = await run("increment", { recordId: stored.id, loaded: { ...stored, id: "other" } });
    expect(other.ok && other.entity.c_count).toBe(42);
  });

  it("reads inside the logic see the action's own uncommitted writes", async () => {
    const result = await run("read_own_writes");
    expect(result.ok && result.entity.c_note).toBe("1:mine");
  });

  it("rejects a value of the wrong type naming the field", async () => {
    const result = await run("write_bad_type");
    expect(!result.ok && result.error).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining('"c_count"'),
    });
    const unknown = await run("write_unknown_field");
    expect(!unknown.ok && unknown.error).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining('"c_nope"'),
    });
  });

  it("refuses async logic with a clear message", async () => {
    const result = await run("async_logic");
    expect(!result.ok && result.error.message).toMatch(/must be synchronous/);
  });

  it("checks preconditions", async () => {
    const denied = await run("approve", { values: { c_flag: false } });
    expect(!denied.ok && denied.error.code).toBe("precondition_failed");
    const allowed = await run("approve", { values: { c_flag: true } });
    expect(allowed.ok && allowed.entity.state).toBe("approved");
  });

  it("creates, updates and deletes other records in the same transaction", async () => {
    const result = await run("create_and_delete");
    expect(result.ok && result.entity.c_note).toBe("updated");
    expect(
      await t.store.findRecords({ workspace: "DEMO", app: "PROBE", where: { c_key: "temp" } }),
    ).toHaveLength(0);
    const kept = await t.store.findRecords({ workspace: "DEMO", app: "PROBE", where: { c_key: "kept" } });
    expect(kept.map((r) => r.fields.c_note)).toEqual(["updated"]);
  });

  it("hands out increasing unique ids per prefix", async () => {
    const first = await run("unique_ids");
    const second = await run("unique_ids");
    expect(first.ok && first.entity.c_note).toBe("INV-1,INV-2");
    expect(second.ok && second.entity.c_note).toBe("INV-3,INV-4");
  });

  it("reads vars from settings/index.ts", async () => {
    const result = await run("vars");
    expect(result.ok && result.entity.c_note).toBe("hello:3:hello:hello");
  });

  it("runs the Utils helpers", async () => {
    const result = await run("utils");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.entity.c_data).toMatchObject({
      sha: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
      date: "2026-01-02 03:04",
      csv: [{ a: "1", b: "x, y" }],
      text: "Hello world",
      b64: "héllo",
    });
    expect((result.entity.c_data as any).guid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes, reads and persists CSV files and attaches them", async () => {
    const result = await run("csv_roundtrip");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const data = result.entity.c_data as any;
    expect(data.rows).toEqual([
      { a: "1", b: "two, three" },
      { a: "4", b: 'quote "q"' },
    ]);
    const attachment = (result.entity.attachments__list as any[])[0];
    const file = await t.store.getFile(attachment.file_uid);
    expect(file).toMatchObject({ fileName: "rows.csv", contentType: "text/csv", size: data.size });
    expect(result.entity.attachments).toEqual(result.entity.attachments__list);
  });

  it("records every run in the run log, with its CPU time and heap", async () => {
    // Its own runs, so the test does not depend on which tests ran before it.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await run("utils");
      expect(result.ok).toBe(true);
      ids.push(result.runId);
    }
    const runs = (await t.store.listRuns({ app: "PROBE", limit: 1000 })).filter((r) => ids.includes(r.id));
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.app === "PROBE" && r.action === "utils" && r.source === "api")).toBe(true);
    expect(runs.every((r) => (r.cpuMs ?? 0) > 0)).toBe(true);
    // The heap is sampled after a run and reported with the isolate's next one.
    expect(runs.some((r) => (r.heapMb ?? 0) > 0)).toBe(true);
  });

  it("rejects unknown actions and missing records", async () => {
    const unknown = await run("nope");
    expect(!unknown.ok && unknown.error.code).toBe("unknown_action");
    const missing = await run("increment", { recordId: "does-not-exist" });
    expect(!missing.ok && missing.error.code).toBe("not_found");
  });

  it("updateAppRecord fires the transition's logic on the other record in the same transaction", async () => {
    const target = await run("add", { values: { c_count: 1 } });
    const result = await run("chain", { values: { c_note: target.recordId } });
    expect(result.ok && result.entity.c_note).toBe("chained to 2");
    expect(result.logs.map((l) => l.message)).toContain("count is now 2");
    const stored = await t.store.getRecord("DEMO", target.recordId!);
    expect(stored!.fields).toMatchObject({ c_count: 2, c_flag: true });
    const history = await t.store.history("DEMO", target.recordId!);
    expect(history.at(-1)).toMatchObject({ transition: "increment", runId: result.runId });
  });

  it("a failing outer action rolls back the nested transition too", async () => {
    const target = await run("add", { values: { c_count: 1 } });
    const result = await run("chain_then_throw", { values: { c_note: target.recordId } });
    expect(!result.ok && result.error.message).toBe("changed my mind");
    expect((await t.store.getRecord("DEMO", target.recordId!))!.fields.c_count).toBe(1);
  });

  it("stops transitions that keep firing each other at depth 5", async () => {
    const record = await run("add");
    const result = await run("recurse", { recordId: record.recordId });
    expect(!result.ok && result.error).toMatchObject({
      code: "limit_exceeded",
      message: expect.stringContaining("nested more than 5 levels"),
    });
  });
});

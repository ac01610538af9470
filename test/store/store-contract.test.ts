import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type ChangeSet, type RecordWrite, type Store, type StoreOptions } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";

// One contract, both engines: the embedded SQLite store and Postgres must behave the same.
const WS = "DEMO";

function changeSet(writes: RecordWrite[], files: ChangeSet["files"] = []): ChangeSet {
  return { workspace: WS, actor: "tester", action: "test", runId: randomUUID(), writes, files };
}

function insert(app: string, fields: Record<string, unknown>, id: string = randomUUID()): RecordWrite {
  return { kind: "insert", id, app, fields, transition: "add", changes: Object.entries(fields).map(([field, value]) => ({ field, old: null, new: value })) };
}

describe.each(ENGINES)("store contract on $name", (engine) => {
  let store: Store;
  let options: StoreOptions;
  let cleanup: () => Promise<void>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ options, cleanup } = await engine.create());
    store = await openStore(options);
    const rows: [string, Record<string, unknown>][] = [
      ["a", { title: "Alpha", c_n: 5, c_flag: true, state: "open", c_tags: ["x"] }],
      ["b", { title: "Beta", c_n: 1500, c_flag: false, state: "closed" }],
      ["c", { title: "Gamma", c_n: 20, c_flag: null, state: "open" }],
      ["d", { title: "Delta", c_n: "20", state: null }],
    ];
    const writes = rows.map(([key, fields]) => {
      ids[key] = randomUUID();
      return insert("T", fields, ids[key]);
    });
    await store.commit(changeSet([...writes, insert("OTHER", { title: "Elsewhere", c_n: 5 })]));
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  const titles = async (query: Partial<Parameters<Store["findRecords"]>[0]>) =>
    (await store.findRecords({ workspace: WS, app: "T", ...query })).map((r) => r.fields.title);

  it("reads back what it wrote, with numbers and revisions", async () => {
    const record = await store.getRecord(WS, ids.a);
    expect(record).toMatchObject({ id: ids.a, app: "T", workspace: WS, revision: 1, fields: { title: "Alpha", c_n: 5, c_flag: true, c_tags: ["x"] } });
    expect([1, 2, 3, 4]).toContain(record!.number);
    expect(await store.getRecord("OTHERWS", ids.a)).toBeNull();
  });

  it("filters by equality on strings, numbers (typed), booleans and null", async () => {
    expect(await titles({ where: { state: "open" }, sortBy: "title asc" })).toEqual(["Alpha", "Gamma"]);
    expect(await titles({ where: { c_n: 20 } })).toEqual(["Gamma"]);
    expect(await titles({ where: { c_n: "20" } })).toEqual(["Delta"]);
    expect(await titles({ where: { c_flag: false } })).toEqual(["Beta"]);
    expect(await titles({ where: { c_flag: null }, sortBy: "title asc" })).toEqual(["Delta", "Gamma"]);
  });

  it("compiles filter trees the same way", async () => {
    const gt = await titles({ filter: { kind: "compare", field: "c_n", op: ">", value: 10 }, sortBy: "c_n asc" });
    expect(gt).toEqual(["Gamma", "Beta"]);
    expect(await titles({ filter: { kind: "compare", field: "state", op: "!=", value: "closed" }, sortBy: "title asc" })).toEqual(["Alpha", "Delta", "Gamma"]);
    expect(await titles({ filter: { kind: "in", field: "title", values: ["Alpha", "Delta"], negate: false }, sortBy: "title asc" })).toEqual(["Alpha", "Delta"]);
    expect(await titles({ filter: { kind: "contains", field: "title", value: "ELT" } })).toEqual(["Delta"]);
    expect(await titles({ filter: { kind: "or", items: [{ kind: "compare", field: "c_flag", op: "=", value: true }, { kind: "compare", field: "c_n", op: "=", value: 1500 }] }, sortBy: "title asc" })).toEqual(["Alpha", "Beta"]);
    expect(await store.countRecords({ workspace: WS, filter: { kind: "compare", field: "c_n", op: "=", value: 5 } })).toBe(2);
    expect(await store.countRecords({ workspace: WS, filter: { kind: "compare", field: "publishing_alias", op: "=", value: "OTHER" } })).toBe(1);
  });

  it("sorts with nulls first ascending, pages with limit and offset", async () => {
    expect(await titles({ sortBy: "state asc, title asc" })).toEqual(["Delta", "Beta", "Alpha", "Gamma"]);
    expect(await titles({ sortBy: "title desc", limit: 2, offset: 1 })).toEqual(["Delta", "Beta"]);
  });

  it("updates with the right revision and refuses a stale one, writing nothing of that change set", async () => {
    const before = (await store.getRecord(WS, ids.c))!;
    const updated = await store.commit(changeSet([{ kind: "update", id: ids.c, app: "T", expectedRevision: 1, fields: { ...before.fields, c_n: 21 }, transition: "edit", changes: [{ field: "c_n", old: 20, new: 21 }] }]));
    expect(updated[0]).toMatchObject({ revision: 2, fields: { c_n: 21 } });
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    writeFileSync(join(dir, "f.txt"), "never stored");
    const fileId = randomUUID();
    const stale = changeSet(
      [insert("T", { title: "Should not exist" }), { kind: "update", id: ids.c, app: "T", expectedRevision: 1, fields: { title: "stale" }, transition: "edit", changes: [] }],
      [{ id: fileId, fileName: "f.txt", contentType: "text/plain", size: 12, sha256: "x", sourcePath: join(dir, "f.txt") }],
    );
    await expect(store.commit(stale)).rejects.toMatchObject({ code: "conflict" });
    expect(await titles({ where: { title: "Should not exist" } })).toEqual([]);
    expect(await store.getFile(fileId)).toBeNull();
    expect((await store.getRecord(WS, ids.c))!.fields.title).toBe("Gamma");
  });

  it("keeps history with field diffs and revisions, and deletes", async () => {
    const history = await store.history(WS, ids.c);
    expect(history.map((h) => [h.revision, h.transition, h.actor])).toEqual([[1, "add", "tester"], [2, "edit", "tester"]]);
    expect(history[1].changes).toEqual([{ field: "c_n", old: 20, new: 21 }]);
    await store.commit(changeSet([{ kind: "delete", id: ids.c, app: "T", expectedRevision: 2, transition: "delete" }]));
    expect(await store.getRecord(WS, ids.c)).toBeNull();
    expect((await store.history(WS, ids.c)).map((h) => h.transition)).toEqual(["add", "edit", "delete"]);
    await expect(store.commit(changeSet([{ kind: "delete", id: ids.c, app: "T", expectedRevision: 3, transition: "delete" }]))).rejects.toMatchObject({ code: "conflict" });
  });

  it("finds records by key tuples, also among 10,000 keys", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => insert("KEYS", { c_key: `k${i}`, c_part: i % 2 }));
    await store.commit(changeSet(rows));
    const keys = Array.from({ length: 10_000 }, (_, i) => [`k${i * 3}`, 0]);
    const found = await store.findByKeys(WS, "KEYS", ["c_key", "c_part"], keys);
    expect(found).toHaveLength(1000);
    expect(new Set(found.map((r) => r.fields.c_key)).has("k2997")).toBe(true);
    expect(await store.findByKeys(WS, "KEYS", ["c_key"], [["k5"]])).toHaveLength(1);
    expect(await store.findByKeys(WS, "KEYS", ["c_key"], [])).toEqual([]);
  });

  it("hands out increasing sequence values", async () => {
    const values = [];
    for (let i = 0; i < 5; i++) values.push(await store.nextSequence(WS, "seq-test"));
    expect(values).toEqual([1, 2, 3, 4, 5]);
  });

  it("stores file bytes with the commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    writeFileSync(join(dir, "blob.bin"), bytes);
    const id = randomUUID();
    await store.commit(changeSet([], [{ id, fileName: "blob.bin", contentType: "application/octet-stream", size: 5, sha256: "abc", sourcePath: join(dir, "blob.bin") }]));
    expect(await store.getFile(id)).toMatchObject({ id, fileName: "blob.bin", size: 5, sha256: "abc" });
    expect(readFileSync(await store.filePath(id))).toEqual(bytes);
  });

  it("searches text values, best match first", async () => {
    await store.commit(changeSet([insert("T", { title: "Invoice for Acme", description: "quarterly" }), insert("T", { title: "Acme note" })]));
    const found = await store.searchRecords({ workspace: WS, text: "acme invoi" });
    expect(found.map((r) => r.fields.title)).toEqual(["Invoice for Acme"]);
    expect((await store.searchRecords({ workspace: WS, app: "T", text: "acme" })).length).toBe(2);
    expect(await store.searchRecords({ workspace: WS, text: "'\" & | !" })).toEqual([]);
  });

  it("keeps the run log and tokens", async () => {
    const run = { workspace: WS, app: "T", action: "x", recordId: null, source: "test", actor: "tester", startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), logs: [{ level: "log", message: "hi" }], httpCalls: [] };
    await store.recordRun({ ...run, id: randomUUID(), ok: true, errorCode: null, errorMessage: null });
    await store.recordRun({ ...run, id: randomUUID(), ok: false, errorCode: "timeout", errorMessage: "slow" });
    expect((await store.listRuns({ app: "T" })).length).toBe(2);
    expect((await store.listRuns({ app: "T", failedOnly: true })).map((r) => r.errorCode)).toEqual(["timeout"]);
    await store.saveToken({ id: randomUUID(), tokenHash: "h1", userId: "u", userName: "U", isAdmin: true, createdAt: new Date().toISOString() });
    expect(await store.findToken("h1")).toMatchObject({ userId: "u", isAdmin: true });
    expect(await store.findToken("h2")).toBeNull();
  });

  it("opens an existing store again (migrations are idempotent)", async () => {
    const again = await openStore(options);
    expect(await again.getRecord(WS, ids.a)).not.toBeNull();
    await again.close();
  });
});

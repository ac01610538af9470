import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FieldSchema } from "../../runtime/actions/fields.ts";
import { queryWithPending } from "../../runtime/actions/pending-query.ts";
import { UnitOfWork } from "../../runtime/actions/unit-of-work.ts";
import { openStore, type Store, type StoredRecord } from "../../runtime/store/index.ts";
import { changeSet, insert } from "../store/builders.ts";

// Reads inside an action see its own uncommitted writes: the stored rows with the pending ones
// merged in, filtered and sorted like the store, then paged. A real SQLite store underneath.
const WORKSPACE = "DEMO";
const APP = "ITEMS";
const schema = new FieldSchema(APP, [
  { name: "c_name", caption: "Name", type: "text" },
  { name: "c_rank", caption: "Rank", type: "number" },
  { name: "c_group", caption: "Group", type: "text" },
]);
let dir: string;
let store: Store;
let stored: StoredRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "comind-pending-"));
  store = await openStore({ dataDir: dir });
  stored = await store.commit(
    changeSet(WORKSPACE, [
      insert(APP, { c_name: "stored-b", c_rank: 20, c_group: "x" }, "s-b"),
      insert(APP, { c_name: "stored-d", c_rank: 40, c_group: "x" }, "s-d"),
      insert(APP, { c_name: "stored-y", c_rank: 50, c_group: "y" }, "s-y"),
      insert("OTHER", { c_name: "other-app" }, "o-1"),
    ]),
  );
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A unit of work with pending writes: a new record, an edit of s-d, and s-y deleted. */
function unitOfWork(): UnitOfWork {
  const uow = new UnitOfWork({ store, workspace: WORKSPACE, defaultApp: APP, schemaOf: () => schema });
  const row = (id: string) => stored.find((record) => record.id === id)!;
  const pending = (id: string, fields: Record<string, unknown>, base: StoredRecord | null, deleted = false) =>
    uow.put({ id, app: APP, stored: base, fields, deleted, transition: base ? "edit" : "add" });
  pending("p-new-a", { c_name: "pending-a", c_rank: 10, c_group: "x" }, null);
  pending("p-new-c", { c_name: "pending-c", c_rank: 30, c_group: "x" }, null);
  pending("s-d", { ...row("s-d").fields, c_rank: 5 }, row("s-d"));
  pending("s-y", row("s-y").fields, row("s-y"), true);
  return uow;
}

const names = (records: { fields: Record<string, unknown> }[]) =>
  records.map((record) => record.fields.c_name);

describe("queryWithPending", () => {
  it("merges pending records into stored ones: the pending version wins, deleted ones are gone", async () => {
    const result = await queryWithPending(unitOfWork(), { appAlias: APP, sortBy: "c_rank asc" });
    expect(names(result)).toEqual(["stored-d", "pending-a", "stored-b", "pending-c"]);
    expect(result.find((record) => record.id === "s-d")!.fields.c_rank).toBe(5);
  });

  it("filters pending records like stored ones", async () => {
    const uow = unitOfWork();
    uow.put({
      id: "p-y",
      app: APP,
      stored: null,
      fields: { c_name: "pending-y", c_group: "y" },
      deleted: false,
      transition: "add",
    });
    const result = await queryWithPending(uow, { appAlias: APP, filter: { c_group: "y" } });
    expect(names(result)).toEqual(["pending-y"]);
  });

  it("sorts on several keys and both directions", async () => {
    const uow = unitOfWork();
    const byGroupThenRank = await queryWithPending(uow, {
      appAlias: APP,
      sortBy: "c_group desc, c_rank desc",
    });
    expect(names(byGroupThenRank)).toEqual(["pending-c", "stored-b", "pending-a", "stored-d"]);
    const byName = await queryWithPending(uow, { appAlias: APP, sortBy: "c_name desc" });
    expect(names(byName)).toEqual(["stored-d", "stored-b", "pending-c", "pending-a"]);
  });

  it("puts new records (not stored yet) last by default (update_date desc) and first when ascending", async () => {
    const uow = unitOfWork();
    const newestFirst = await queryWithPending(uow, { appAlias: APP });
    // New records have no update date yet; they sort as the newest.
    expect(names(newestFirst).slice(0, 2).sort()).toEqual(["pending-a", "pending-c"]);
    const byNumber = await queryWithPending(uow, { appAlias: APP, sortBy: "number asc" });
    expect(names(byNumber).slice(-2).sort()).toEqual(["pending-a", "pending-c"]);
  });

  it("pages after merging and sorting", async () => {
    const uow = unitOfWork();
    const page = await queryWithPending(uow, { appAlias: APP, sortBy: "c_rank asc", skip: 1, limit: 2 });
    expect(names(page)).toEqual(["pending-a", "stored-b"]);
  });

  it("without pending records asks the store for the page directly", async () => {
    const uow = new UnitOfWork({ store, workspace: WORKSPACE, defaultApp: APP, schemaOf: () => schema });
    const page = await queryWithPending(uow, { appAlias: APP, sortBy: "c_rank desc", skip: 1, limit: 1 });
    expect(names(page)).toEqual(["stored-d"]);
  });

  it("sees only the queried app's pending records", async () => {
    const result = await queryWithPending(unitOfWork(), { appAlias: "OTHER" });
    expect(names(result)).toEqual(["other-app"]);
  });
});

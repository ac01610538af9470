import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../runtime/store/sqlite/index.ts";
import type { ChangeSet, Store } from "../../runtime/store/index.ts";
import { changeSet, fileWrite, insert, newWorkspace, seed, update } from "./builders.ts";

// Change sets that reach the store in one turn of the event loop commit in one transaction, each
// in a savepoint of its own (runtime/store/sqlite/group-commit.ts): each must still be
// all-or-nothing on its own, and a failing one must not take the others with it.
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "comind-group-commit-"));
  store = await openSqliteStore(dir);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Commits all in the same turn (no await in between), as actions finishing together do. */
const together = (sets: ChangeSet[]) => Promise.allSettled(sets.map((set) => store.commit(set)));

async function historyCount(workspace: string, runId: string) {
  return (await store.historyOfRun(workspace, runId)).length;
}

describe("SQLite group commit", () => {
  it("commits the change sets of one turn each on its own: a conflicting one is rolled back whole", async () => {
    const ws = newWorkspace();
    const [record] = await seed(store, ws, "ITEMS", [{ c_name: "first" }]);
    const first = changeSet(ws, [insert("ITEMS", { c_name: "a" }, `${ws}-a`)]);
    // Writes a new record, then fails its revision check: the insert must not survive.
    const conflicting = changeSet(ws, [
      insert("ITEMS", { c_name: "half" }, `${ws}-half`),
      update(record, { c_name: "stale" }, record.revision + 5),
    ]);
    const last = changeSet(ws, [update(record, { c_name: "second" })]);
    const [a, failed, b] = await together([first, conflicting, last]);

    expect(a).toMatchObject({ status: "fulfilled", value: [{ id: `${ws}-a`, revision: 1 }] });
    expect(failed).toMatchObject({ status: "rejected", reason: { code: "conflict" } });
    expect(b).toMatchObject({ status: "fulfilled", value: [{ id: record.id, revision: 2 }] });
    expect(await store.getRecord(ws, `${ws}-half`)).toBeNull();
    expect(await historyCount(ws, conflicting.runId)).toBe(0);
    expect(await store.findCommit({ runId: conflicting.runId })).toBeNull();
    expect(await store.getRecord(ws, record.id)).toMatchObject({ revision: 2, fields: { c_name: "second" } });
    expect(await store.findCommit({ runId: first.runId })).not.toBeNull();
  });

  it("lets one of two change sets with the same idempotency key commit, the other is refused", async () => {
    const ws = newWorkspace();
    const key = `key-${ws}`;
    const sets = [1, 2].map((n) => ({
      ...changeSet(ws, [insert("ITEMS", { c_name: `try ${n}` }, `${ws}-${n}`)]),
      idempotencyKey: key,
    }));
    const outcomes = await together(sets);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    const committed = await store.findCommit({ idempotencyKey: key });
    const winner = sets.find((set) => set.runId === committed?.runId)!;
    const loser = sets.find((set) => set !== winner)!;
    expect(await store.getRecord(ws, winner.writes[0].id)).not.toBeNull();
    expect(await store.getRecord(ws, loser.writes[0].id)).toBeNull();
  });

  it("removes the file copies of a change set that fails in a group and keeps the others'", async () => {
    const ws = newWorkspace();
    const [record] = await seed(store, ws, "ITEMS", [{ c_name: "x" }]);
    const kept = fileWrite(Buffer.from("kept bytes"));
    const dropped = fileWrite(Buffer.from("dropped bytes"));
    const ok = changeSet(ws, [insert("ITEMS", { c_name: "with file" })], [kept]);
    const bad = changeSet(ws, [update(record, { c_name: "y" }, record.revision + 1)], [dropped]);
    const [okOutcome, badOutcome] = await together([ok, bad]);

    expect(okOutcome.status).toBe("fulfilled");
    expect(badOutcome.status).toBe("rejected");
    const stored = readdirSync(join(dir, "files"));
    expect(stored).toContain(kept.id);
    expect(stored).not.toContain(dropped.id);
    expect(await store.getFile(dropped.id)).toBeNull();
  });

  it("redoes a group one by one when an error ends its transaction, committing each exactly once", async () => {
    const ws = newWorkspace();
    // With a file: redone on its own, it must find its copy gone, not already stored.
    const attached = fileWrite(Buffer.from("redone bytes"));
    const before = changeSet(ws, [insert("ITEMS", { c_name: "before" }, `${ws}-before`)], [attached]);
    // An extra step that ends the whole transaction (as SQLITE_FULL does): the group is lost.
    const breaker: ChangeSet = {
      ...changeSet(ws, [insert("ITEMS", { c_name: "breaker" }, `${ws}-breaker`)]),
      extras: [{ engine: "sqlite", apply: (db) => db.exec("ROLLBACK") }],
    };
    const after = changeSet(ws, [insert("ITEMS", { c_name: "after" }, `${ws}-after`)]);
    const [a, broken, b] = await together([before, breaker, after]);

    expect(a.status).toBe("fulfilled");
    expect(b.status).toBe("fulfilled");
    expect(broken.status).toBe("rejected");
    expect(await store.getRecord(ws, `${ws}-breaker`)).toBeNull();
    expect(await historyCount(ws, before.runId)).toBe(1);
    expect(await historyCount(ws, after.runId)).toBe(1);
    expect(await store.countRecords({ workspace: ws, app: "ITEMS" })).toBe(2);
    expect(await store.getFile(attached.id)).toMatchObject({ id: attached.id, size: attached.size });
  });
});

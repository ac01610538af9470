/** Contract: commits: inserts, record numbers, optimistic updates and deletes, history. */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { changeSet, fileWrite, insert, newWorkspace, remove, seed, update } from "./builders.ts";
import type { CommitExtra } from "../../runtime/store/index.ts";
import type { ContractContext } from "./contract.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

export function writeCases(ctx: ContractContext): void {
  describe("writes", () => {
    it("inserts records and reads them back exactly, with revision 1 and a record number", async () => {
      const ws = newWorkspace();
      const fields = {
        title: "Ünïcode ✓",
        c_n: 1.25,
        c_flag: false,
        c_none: null,
        c_obj: { a: [1, "2", { b: true }] },
      };
      const [written] = await seed(ctx.store(), ws, "T", [fields]);
      const read = await ctx.store().getRecord(ws, written.id);
      expect(read).toEqual(written);
      expect(read).toMatchObject({ workspace: ws, app: "T", revision: 1, number: 1, fields });
      expect(read!.creationDate).toMatch(ISO);
      expect(read!.updateDate).toBe(read!.creationDate);
      expect(await ctx.store().getRecord(newWorkspace(), written.id)).toBeNull();
      expect(await ctx.store().getRecord(ws, "no-such-id")).toBeNull();
    });

    it("numbers records per app, counting up from 1", async () => {
      const ws = newWorkspace();
      const first = await ctx
        .store()
        .commit(
          changeSet(ws, [
            insert("A", { title: "a1" }),
            insert("B", { title: "b1" }),
            insert("A", { title: "a2" }),
          ]),
        );
      const later = await seed(ctx.store(), ws, "A", [{ title: "a3" }]);
      expect([...first, ...later].map((r) => [r.app, r.number])).toEqual([
        ["A", 1],
        ["B", 1],
        ["A", 2],
        ["A", 3],
      ]);
    });

    it("updates with the expected revision: revision + 1, new fields, same number and creation date", async () => {
      const ws = newWorkspace();
      const [other, record] = await seed(ctx.store(), ws, "T", [
        { title: "Other" },
        { title: "Old", c_n: 1 },
      ]);
      await sleep(5); // a later update_date than the insert, at millisecond resolution
      const [updated] = await ctx.store().commit(changeSet(ws, [update(record, { title: "New" })]));
      expect(updated).toMatchObject({
        id: record.id,
        revision: 2,
        number: record.number,
        creationDate: record.creationDate,
        fields: { title: "New", c_n: 1 },
      });
      expect(updated.updateDate >= record.updateDate).toBe(true);
      expect(await ctx.store().getRecord(ws, record.id)).toEqual(updated);
      // Without a sortBy, the most recently updated record comes first.
      const recent = await ctx.store().findRecords({ workspace: ws, app: "T" });
      expect(recent.map((r) => r.id)).toEqual([record.id, other.id]);
    });

    it("answers each written record exactly as a read after the commit finds it", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "Old" }]);
      await sleep(5); // a later update_date than the insert, at millisecond resolution
      // Values that do not survive JSON as they are: the answer holds what was stored.
      const created = insert("T", { title: "New", c_gone: undefined, c_when: new Date(0) } as never);
      const answered = await ctx.store().commit(changeSet(ws, [created, update(record, { title: "Next" })]));
      const read = await Promise.all([created.id, record.id].map((id) => ctx.store().getRecord(ws, id)));
      expect(answered).toStrictEqual(read);
      expect(answered.map((r) => [r.revision, r.fields.title])).toEqual([
        [1, "New"],
        [2, "Next"],
      ]);
    });

    it("refuses a stale revision and writes nothing of that change set: no inserts, updates, files or history", async () => {
      const ws = newWorkspace();
      const [target, bystander] = await seed(ctx.store(), ws, "T", [
        { title: "Target" },
        { title: "Bystander" },
      ]);
      await ctx.store().commit(changeSet(ws, [update(target, { title: "Moved on" })]));
      const file = fileWrite(Buffer.from("never stored"));
      const stale = changeSet(
        ws,
        [
          insert("T", { title: "Ghost" }),
          update(bystander, { title: "Touched" }),
          update(target, { title: "Stale" }),
        ],
        [file],
      );
      await expect(ctx.store().commit(stale)).rejects.toMatchObject({ code: "conflict", status: 409 });
      expect(await ctx.store().countRecords({ workspace: ws })).toBe(2);
      expect(await ctx.store().getRecord(ws, bystander.id)).toEqual(bystander);
      expect((await ctx.store().getRecord(ws, target.id))!).toMatchObject({
        revision: 2,
        fields: { title: "Moved on" },
      });
      expect((await ctx.store().history(ws, bystander.id)).map((h) => h.transition)).toEqual(["add"]);
      expect(await ctx.store().getFile(file.id)).toBeNull();
    });

    it("lets exactly one of two racing updates of the same revision win", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ c_n: 0 }]);
      const results = await Promise.allSettled(
        [1, 2].map((n) => ctx.store().commit(changeSet(ws, [update(record, { c_n: n })]))),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({ code: "conflict" });
      expect((await ctx.store().getRecord(ws, record.id))!.revision).toBe(2);
    });

    it("deletes with the expected revision and refuses stale or repeated deletes", async () => {
      const ws = newWorkspace();
      const [gone, kept] = await seed(ctx.store(), ws, "T", [{ title: "Gone" }, { title: "Kept" }]);
      await expect(ctx.store().commit(changeSet(ws, [remove(kept, 5)]))).rejects.toMatchObject({
        code: "conflict",
      });
      expect(await ctx.store().commit(changeSet(ws, [remove(gone)]))).toEqual([]);
      expect(await ctx.store().getRecord(ws, gone.id)).toBeNull();
      expect((await ctx.store().findRecords({ workspace: ws })).map((r) => r.id)).toEqual([kept.id]);
      await expect(ctx.store().commit(changeSet(ws, [remove(gone)]))).rejects.toMatchObject({
        code: "conflict",
      });
    });

    it("keeps one history entry per change with field diffs, revisions and who did it", async () => {
      const ws = newWorkspace();
      const added = changeSet(ws, [insert("T", { title: "H", c_n: 20 })]);
      const [record] = await ctx.store().commit(added);
      const [second] = await ctx.store().commit(changeSet(ws, [update(record, { c_n: 21 })]));
      const [third] = await ctx.store().commit(changeSet(ws, [update(second, { title: "H2" })]));
      await ctx.store().commit(changeSet(ws, [remove(third)]));
      const history = await ctx.store().history(ws, record.id);
      expect(history.map((h) => [h.revision, h.transition, h.app])).toEqual([
        [1, "add", "T"],
        [2, "edit", "T"],
        [3, "edit", "T"],
        [4, "delete", "T"],
      ]);
      expect(history.map((h) => h.changes)).toEqual([
        [
          { field: "title", old: null, new: "H" },
          { field: "c_n", old: null, new: 20 },
        ],
        [{ field: "c_n", old: 20, new: 21 }],
        [{ field: "title", old: "H", new: "H2" }],
        [],
      ]);
      expect(history[0]).toMatchObject({
        recordId: record.id,
        actor: "tester",
        action: "test_action",
        runId: added.runId,
      });
      expect(
        history.every(
          (h, i) => h.timestamp.match(ISO) && (i === 0 || h.timestamp >= history[i - 1].timestamp),
        ),
      ).toBe(true);
      expect((await ctx.store().history(ws, record.id, { limit: 2 })).map((h) => h.revision)).toEqual([1, 2]);
      expect(await ctx.store().history(ws, record.id, { since: "9999-01-01T00:00:00.000Z" })).toEqual([]);
      expect(await ctx.store().history(newWorkspace(), record.id)).toEqual([]);
    });

    it("queries history across records by app and time window, oldest first", async () => {
      const ws = newWorkspace();
      const [a] = await ctx.store().commit(changeSet(ws, [insert("A", { title: "a" })]));
      await ctx.store().commit(changeSet(ws, [insert("B", { title: "b" })]));
      await ctx.store().commit(changeSet(ws, [update(a, { title: "a2" })]));
      const all = await ctx.store().historyQuery({ workspace: ws });
      expect(all.map((h) => [h.app, h.transition])).toEqual([
        ["A", "add"],
        ["B", "add"],
        ["A", "edit"],
      ]);
      const ofA = await ctx.store().historyQuery({ workspace: ws, app: "A" });
      expect(ofA.map((h) => h.revision)).toEqual([1, 2]);
      expect(await ctx.store().historyQuery({ workspace: ws, limit: 1 })).toHaveLength(1);
      const middle = all[1].timestamp;
      const before = await ctx.store().historyQuery({ workspace: ws, until: middle });
      expect(before.every((h) => h.timestamp < middle)).toBe(true);
      expect((await ctx.store().historyQuery({ workspace: ws, since: middle })).length).toBe(
        all.filter((h) => h.timestamp >= middle).length,
      );
      expect(await ctx.store().historyQuery({ workspace: newWorkspace() })).toEqual([]);
    });

    it("runs a commit step of its own engine in the transaction, and refuses one of the other engine", async () => {
      const store = ctx.store();
      const ws = newWorkspace();
      const ran: string[] = [];
      const own: CommitExtra =
        store.kind === "sqlite"
          ? { engine: "sqlite", apply: () => void ran.push("sqlite") }
          : { engine: "postgres", apply: async () => void ran.push("postgres") };
      const other: CommitExtra =
        store.kind === "sqlite"
          ? { engine: "postgres", apply: async () => void ran.push("postgres") }
          : { engine: "sqlite", apply: () => void ran.push("sqlite") };
      const [kept] = await store.commit({
        ...changeSet(ws, [insert("T", { title: "kept" })]),
        extras: [own],
      });
      expect(ran).toEqual([store.kind]);
      const refused = insert("T", { title: "refused" });
      await expect(store.commit({ ...changeSet(ws, [refused]), extras: [other] })).rejects.toMatchObject({
        code: "internal_error",
      });
      // nothing of the refused change set was written, and the other engine's step never ran
      expect(ran).toEqual([store.kind]);
      expect(await store.getRecord(ws, refused.id)).toBeNull();
      expect(await store.getRecord(ws, kept.id)).not.toBeNull();
    });
  });
}

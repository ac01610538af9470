/**
 * Contract: deletes leave tombstones (id, app, number, time, actor) for "changed since" and
 * "deleted after" queries, and apps get stable ids that survive reopening the store.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { changeSet, insert, newWorkspace, remove, seed } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

const EPOCH = "1970-01-01T00:00:00.000Z";

export function tombstoneCases(ctx: ContractContext): void {
  describe("tombstones", () => {
    it("keeps id, app, number, deletion time and actor of a deleted record", async () => {
      const ws = newWorkspace();
      const [, second] = await seed(ctx.store(), ws, "T", [{ title: "one" }, { title: "two" }]);
      const before = new Date().toISOString();
      await sleep(5);
      await ctx.store().commit(changeSet(ws, [remove(second)]));
      const deleted = await ctx.store().listDeleted({ workspace: ws, after: EPOCH });
      expect(deleted).toEqual([
        { id: second.id, workspace: ws, app: "T", number: 2, deletedAt: expect.any(String), actor: "tester" },
      ]);
      expect(deleted[0].deletedAt > before).toBe(true);
      expect(await ctx.store().countDeleted({ workspace: ws, after: EPOCH })).toBe(1);
    });

    it("filters by app and by time (strictly after), oldest first, with a limit", async () => {
      const ws = newWorkspace();
      const records = await seed(ctx.store(), ws, "A", [{ title: "a1" }, { title: "a2" }, { title: "a3" }]);
      const [b1] = await seed(ctx.store(), ws, "B", [{ title: "b1" }]);
      await ctx.store().commit(changeSet(ws, [remove(records[0])]));
      const [first] = await ctx.store().listDeleted({ workspace: ws, after: EPOCH });
      await sleep(5);
      await ctx.store().commit(changeSet(ws, [remove(records[1]), remove(b1)]));
      const store = ctx.store();
      expect((await store.listDeleted({ workspace: ws, app: "A", after: EPOCH })).map((d) => d.id)).toEqual([
        records[0].id,
        records[1].id,
      ]);
      expect(
        (await store.listDeleted({ workspace: ws, after: first.deletedAt })).map((d) => d.id).sort(),
      ).toEqual([records[1].id, b1.id].sort());
      expect(await store.countDeleted({ workspace: ws, app: "B", after: EPOCH })).toBe(1);
      expect(await store.countDeleted({ workspace: ws, after: first.deletedAt })).toBe(2);
      expect(await store.listDeleted({ workspace: ws, after: EPOCH, limit: 1 })).toHaveLength(1);
      expect(await store.countDeleted({ workspace: newWorkspace(), after: EPOCH })).toBe(0);
    });

    it("leaves no tombstone when the delete fails its revision check", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "kept" }]);
      await expect(ctx.store().commit(changeSet(ws, [remove(record, 7)]))).rejects.toMatchObject({
        code: "conflict",
      });
      expect(await ctx.store().countDeleted({ workspace: ws, after: EPOCH })).toBe(0);
      expect(await ctx.store().getRecord(ws, record.id)).not.toBeNull();
    });

    it("forgets the tombstone when the same id is inserted again", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "back" }]);
      await ctx.store().commit(changeSet(ws, [remove(record)]));
      expect(await ctx.store().countDeleted({ workspace: ws, after: EPOCH })).toBe(1);
      await ctx.store().commit(changeSet(ws, [insert("T", { title: "back again" }, record.id)]));
      expect(await ctx.store().countDeleted({ workspace: ws, after: EPOCH })).toBe(0);
    });
  });

  describe("app ids", () => {
    it("gives each app one stable id, distinct per app and workspace, kept across reopening", async () => {
      const ws = newWorkspace();
      const first = await ctx.store().ensureAppIds(ws, ["A", "B"]);
      expect(first.A).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.B).not.toBe(first.A);
      expect(await ctx.store().ensureAppIds(ws, ["B", "A", "C"])).toMatchObject(first);
      const other = await ctx.store().ensureAppIds(newWorkspace(), ["A"]);
      expect(other.A).not.toBe(first.A);
      const reopened = await ctx.open();
      try {
        expect(await reopened.store.ensureAppIds(ws, ["A", "B"])).toEqual(first);
      } finally {
        await reopened.cleanup();
      }
    });

    it("agrees on one id when several callers ask for a new app at once", async () => {
      const ws = newWorkspace();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => ctx.store().ensureAppIds(ws, ["NEW"])),
      );
      expect(new Set(answers.map((a) => a.NEW)).size).toBe(1);
    });
  });
}

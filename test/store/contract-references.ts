/**
 * Contract (issue 25): record numbers are one per record of an app, in creation order, and name the
 * record (`WS/APP12`); stored files get attachment numbers; history entries keep the action's
 * comment and can be filtered on their own fields, newest first; `has` matches list fields.
 */
import { describe, expect, it } from "vitest";
import { changeSet, fileWrite, insert, newWorkspace, seed, update } from "./builders.ts";
import type { ContractContext } from "./contract.ts";
import { findByRef, parseRecordRef } from "../../runtime/actions/index.ts";
import type { FilterNode } from "../../runtime/store/index.ts";

export function referenceCases(ctx: ContractContext): void {
  describe("record references, comments, history filters", () => {
    it("numbers records 1, 2, 3 per app in creation order, and finds them by reference", async () => {
      const ws = newWorkspace();
      const tasks = await seed(ctx.store(), ws, "TASK", [{ title: "t1" }, { title: "t2" }]);
      const [probe] = await seed(ctx.store(), ws, "PROBE", [{ title: "p1" }]);
      const [third] = await seed(ctx.store(), ws, "TASK", [{ title: "t3" }]);
      expect([...tasks, third].map((r) => r.number)).toEqual([1, 2, 3]);
      expect(probe.number).toBe(1);
      const ref = parseRecordRef(`${ws}/TASK2`, ws, ["TASK", "PROBE"])!;
      expect((await findByRef(ctx.store(), ws, ref))?.id).toBe(tasks[1].id);
      expect(await findByRef(ctx.store(), ws, { ...ref, number: 9 })).toBeNull();
      expect(await findByRef(ctx.store(), newWorkspace(), ref)).toBeNull();
    });

    it("gives stored files attachment numbers, one after the other, and finds a file by its number", async () => {
      const [a, b] = [fileWrite(Buffer.from("a")), fileWrite(Buffer.from("b"))];
      await ctx.store().commit(changeSet(newWorkspace(), [], [a, b]));
      const [first, second] = [await ctx.store().getFile(a.id), await ctx.store().getFile(b.id)];
      expect(second!.number).toBe(first!.number! + 1);
      expect((await ctx.store().findFileByNumber(second!.number!))?.id).toBe(b.id);
      expect(await ctx.store().findFileByNumber(second!.number! + 1000)).toBeNull();
    });

    it("keeps an action's comment with the history entry and filters history on its own fields", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "TASK", [{ title: "x" }]);
      await ctx.store().commit({
        ...changeSet(ws, [{ ...update(record, { title: "y" }), comment: "looks good" }]),
        actor: "bob",
      });
      const history = await ctx.store().history(ws, record.id);
      expect(history.map((h) => [h.actor, h.comment])).toEqual([
        ["tester", null],
        ["bob", "looks good"],
      ]);
      const query = (filter: FilterNode | undefined, newestFirst = false) =>
        ctx.store().historyQuery({ workspace: ws, filter, newestFirst });
      expect(
        (await query({ kind: "compare", field: "version_account", op: "=", value: "bob" })).map(
          (h) => h.comment,
        ),
      ).toEqual(["looks good"]);
      expect(await query({ kind: "contains", field: "comment", value: "GOOD" })).toHaveLength(1);
      expect(
        (await query({ kind: "compare", field: "comment", op: "!=", value: "looks good" })).map(
          (h) => h.actor,
        ),
      ).toEqual(["tester"]);
      expect(
        (await query({ kind: "in", field: "transition", values: ["add"], negate: false })).map(
          (h) => h.transition,
        ),
      ).toEqual(["add"]);
      expect((await query(undefined, true)).map((h) => h.transition)).toEqual(["edit", "add"]);
      expect(
        await query({ kind: "compare", field: "version_timestamp", op: "<", value: "2000-01-01" }),
      ).toEqual([]);
      await expect(query({ kind: "compare", field: "title", op: "=", value: "x" })).rejects.toThrow(
        /version_account/,
      );
    });

    it("matches list fields that hold one of the values (has), and none of them (negated)", async () => {
      const ws = newWorkspace();
      await ctx
        .store()
        .commit(
          changeSet(ws, [
            insert("T", { title: "both", c_people: ["u1", "u2"] }),
            insert("T", { title: "one", c_people: ["u2"] }),
            insert("T", { title: "none", c_people: [] }),
            insert("T", { title: "text", c_people: "u1" }),
            insert("T", { title: "missing" }),
          ]),
        );
      const titles = async (values: string[], negate = false) =>
        (
          await ctx.store().findRecords({
            workspace: ws,
            filter: { kind: "has", field: "c_people", values, negate },
            sortBy: "title",
          })
        ).map((r) => r.fields.title);
      expect(await titles(["u1"])).toEqual(["both"]);
      expect(await titles(["u1", "u2"])).toEqual(["both", "one"]);
      expect(await titles(["u3"])).toEqual([]);
      expect(await titles(["u1"], true)).toEqual(["missing", "none", "one", "text"]);
    });
  });
}

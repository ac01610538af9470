/** Contract: reading records back: equality filters, filter trees, sorting, paging. */
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordQuery } from "../../runtime/store/index.ts";
import { newWorkspace, seed } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

export function queryCases(ctx: ContractContext): void {
  describe("queries", () => {
    const ws = newWorkspace();
    beforeAll(async () => {
      // Insertion order (and record numbers): Alpha, Beta, Gamma, Delta, Epsilon.
      await seed(ctx.store(), ws, "T", [
        { title: "Alpha", c_n: 5, c_flag: true, state: "open", c_tags: ["x"], c_text: "" },
        { title: "Beta", c_n: 1500, c_flag: false, state: "closed" },
        { title: "Gamma", c_n: 20, c_flag: null, state: "open" },
        { title: "Delta", c_n: "20", state: null },
        { title: "Epsilon", c_n: 7.5, c_flag: 1, state: "open" },
      ]);
      await seed(ctx.store(), ws, "OTHER", [{ title: "Elsewhere", c_n: 5, state: "open" }]);
      await seed(ctx.store(), newWorkspace(), "T", [{ title: "Alpha", c_n: 5, state: "open" }]);
    });
    const titles = async (query: Partial<RecordQuery>) =>
      (await ctx.store().findRecords({ workspace: ws, app: "T", sortBy: "title asc", ...query })).map(
        (r) => r.fields.title,
      );

    it("filters by equality on strings, case-sensitively, and on several fields at once", async () => {
      expect(await titles({ where: { state: "open" } })).toEqual(["Alpha", "Epsilon", "Gamma"]);
      expect(await titles({ where: { title: "alpha" } })).toEqual([]);
      expect(await titles({ where: { c_text: "" } })).toEqual(["Alpha"]);
      expect(await titles({ where: { state: "open", c_flag: null } })).toEqual(["Gamma"]);
    });

    it('filters numbers by value and type: 20 is not "20", 1 is not true', async () => {
      expect(await titles({ where: { c_n: 20 } })).toEqual(["Gamma"]);
      expect(await titles({ where: { c_n: "20" } })).toEqual(["Delta"]);
      expect(await titles({ where: { c_n: 7.5 } })).toEqual(["Epsilon"]);
      expect(await titles({ where: { c_flag: 1 } })).toEqual(["Epsilon"]);
    });

    it("filters booleans, and null matches an explicit null or a missing field", async () => {
      expect(await titles({ where: { c_flag: true } })).toEqual(["Alpha"]);
      expect(await titles({ where: { c_flag: false } })).toEqual(["Beta"]);
      expect(await titles({ where: { c_flag: null } })).toEqual(["Delta", "Gamma"]);
      expect(await titles({ where: { c_text: null } })).toEqual(["Beta", "Delta", "Epsilon", "Gamma"]);
      expect(await titles({ where: { c_tags: ["x"] } })).toEqual(["Alpha"]);
    });

    it("scopes by workspace and app, and counts what it finds", async () => {
      const everyApp = await ctx
        .store()
        .findRecords({ workspace: ws, where: { c_n: 5 }, sortBy: "title asc" });
      expect(everyApp.map((r) => [r.app, r.fields.title])).toEqual([
        ["T", "Alpha"],
        ["OTHER", "Elsewhere"],
      ]);
      expect(await ctx.store().countRecords({ workspace: ws, where: { c_n: 5 } })).toBe(2);
      expect(await ctx.store().countRecords({ workspace: ws, app: "T" })).toBe(5);
    });

    it("compiles filter trees", async () => {
      expect(
        await titles({ filter: { kind: "compare", field: "c_n", op: ">", value: 10 }, sortBy: "c_n asc" }),
      ).toEqual(["Gamma", "Beta"]);
      expect(
        await titles({ filter: { kind: "compare", field: "state", op: "!=", value: "closed" } }),
      ).toEqual(["Alpha", "Delta", "Epsilon", "Gamma"]);
      expect(
        await titles({ filter: { kind: "in", field: "title", values: ["Alpha", "Delta"], negate: false } }),
      ).toEqual(["Alpha", "Delta"]);
      expect(await titles({ filter: { kind: "contains", field: "title", value: "ELT" } })).toEqual(["Delta"]);
      const either = {
        kind: "or" as const,
        items: [
          { kind: "compare" as const, field: "c_flag", op: "=" as const, value: true },
          { kind: "compare" as const, field: "c_n", op: "=" as const, value: 1500 },
        ],
      };
      expect(await titles({ filter: either, where: { state: "open" } })).toEqual(["Alpha"]);
      expect(
        await ctx.store().countRecords({
          workspace: ws,
          filter: { kind: "compare", field: "publishing_alias", op: "=", value: "OTHER" },
        }),
      ).toBe(1);
    });

    it("sorts numbers numerically, by several keys, nulls first ascending and last descending", async () => {
      expect(await titles({ where: { state: "open" }, sortBy: "c_n asc" })).toEqual([
        "Alpha",
        "Epsilon",
        "Gamma",
      ]);
      expect(await titles({ where: { state: "open" }, sortBy: "c_n desc" })).toEqual([
        "Gamma",
        "Epsilon",
        "Alpha",
      ]);
      expect(await titles({ sortBy: "state asc, title asc" })).toEqual([
        "Delta",
        "Beta",
        "Alpha",
        "Epsilon",
        "Gamma",
      ]);
      expect(await titles({ sortBy: "state desc, title desc" })).toEqual([
        "Gamma",
        "Epsilon",
        "Alpha",
        "Beta",
        "Delta",
      ]);
    });

    it("sorts by the record columns", async () => {
      expect(await titles({ sortBy: "number asc" })).toEqual(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]);
      expect(await titles({ sortBy: "number desc" })).toEqual(["Epsilon", "Delta", "Gamma", "Beta", "Alpha"]);
      const byId = await ctx.store().findRecords({ workspace: ws, app: "T", sortBy: "id asc" });
      expect(byId.map((r) => r.id)).toEqual(byId.map((r) => r.id).sort());
    });

    it("pages with limit and offset, and counts ignore them", async () => {
      expect(await titles({ limit: 2 })).toEqual(["Alpha", "Beta"]);
      expect(await titles({ limit: 2, offset: 2 })).toEqual(["Delta", "Epsilon"]);
      expect(await titles({ offset: 4 })).toEqual(["Gamma"]);
      expect(await titles({ offset: 10 })).toEqual([]);
      expect(await titles({ limit: 0 })).toEqual([]);
      expect(await ctx.store().countRecords({ workspace: ws, app: "T", limit: 1, offset: 3 })).toBe(5);
    });

    it("refuses bad sort clauses, field names and limits instead of building SQL from them", async () => {
      await expect(titles({ sortBy: "title sideways" })).rejects.toMatchObject({ code: "bad_request" });
      await expect(titles({ sortBy: "title; DROP TABLE records" })).rejects.toMatchObject({
        code: "bad_request",
      });
      await expect(titles({ where: { "x') OR 1=1 --": 1 } })).rejects.toMatchObject({ code: "bad_request" });
      await expect(titles({ limit: -1 })).rejects.toMatchObject({ code: "bad_request" });
      expect(await ctx.store().countRecords({ workspace: ws, app: "T" })).toBe(5);
    });
  });
}

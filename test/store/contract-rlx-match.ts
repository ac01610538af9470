/**
 * Contract: the in-memory rlx matcher (runtime/rlx/match.ts, used for an action's uncommitted
 * writes) selects exactly the records the store's SQL selects, for the same filters.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { matchesFilter, parseRlx } from "../../runtime/rlx/index.ts";
import type { FilterNode, StoredRecord } from "../../runtime/store/index.ts";
import { newWorkspace, seed } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

const ROWS = [
  { title: "Alpha", state: "open", c_total: 10, c_flag: true, c_tags: ["a"] },
  { title: "beta", state: "closed", c_total: 250, c_flag: false },
  { title: "Gamma ray", state: null, c_total: "250", c_flag: true },
  { title: "delta", state: "open", c_total: -5 },
  { title: null, state: "pending", c_total: 0, c_flag: null },
];

const FILTERS = [
  'state="open"',
  'state!="closed"',
  "c_total>100",
  "c_total<=10",
  'c_total="250"',
  "c_flag=true",
  "c_flag!=true",
  "c_flag=null",
  "state=null",
  "state!=null",
  'title~"A"',
  'state in "open,pending":string[]',
  'state not in "open"',
  'c_total in "10, 250":number[]',
  '(state="open" OR c_flag=true) AND c_total>=0',
  'title>"b"',
];

export function rlxMatchCases(ctx: ContractContext): void {
  describe("in-memory rlx matching agrees with SQL", () => {
    const ws = newWorkspace();
    let all: StoredRecord[] = [];
    beforeAll(async () => {
      await seed(ctx.store(), ws, "RLX", ROWS);
      all = await ctx.store().findRecords({ workspace: ws, app: "RLX" });
    });

    it.each(FILTERS)("%s", async (text) => {
      const filter = parseRlx(text, { currentUser: "u" });
      const bySql = (await ctx.store().findRecords({ workspace: ws, app: "RLX", filter }))
        .map((r) => r.id)
        .sort();
      const inMemory = all
        .filter((record) =>
          matchesFilter(filter, (field) => (field === "id" ? record.id : record.fields[field])),
        )
        .map((r) => r.id)
        .sort();
      expect(inMemory).toEqual(bySql);
    });

    it.each([
      ["a", false],
      ["a", true],
      ["b", false],
    ] as const)("has c_tags %s (negated: %s)", async (tag, negate) => {
      const filter: FilterNode = { kind: "has", field: "c_tags", values: [tag], negate };
      const bySql = (await ctx.store().findRecords({ workspace: ws, app: "RLX", filter }))
        .map((r) => r.id)
        .sort();
      const inMemory = all
        .filter((record) => matchesFilter(filter, (field) => record.fields[field]))
        .map((r) => r.id)
        .sort();
      expect(inMemory).toEqual(bySql);
      expect(bySql.length).toBe(tag === "a" ? (negate ? ROWS.length - 1 : 1) : 0);
    });
  });
}

import { describe, expect, it } from "vitest";
import { aggregate, monthOf } from "../../runtime/server/mcp/aggregate.ts";

const rows = [
  { team: "a", n: 2, when: "2026-03-05T10:00:00.000Z" },
  { team: "b", n: 10, when: "2026-01-31" },
  { team: "a", n: "not a number", when: "2026-03-30T23:59:59.000Z" },
  { team: null, n: 4, when: null },
];

describe("aggregate", () => {
  it("counts per group, null group last, groups sorted", () => {
    expect(aggregate(rows, { operation: "count", groupBy: "team" })).toEqual([
      { group: "a", value: 2, count: 2 },
      { group: "b", value: 1, count: 1 },
      { group: null, value: 1, count: 1 },
    ]);
  });

  it("sums and averages numbers only; avg of no numbers is null, sum is 0", () => {
    expect(aggregate(rows, { operation: "sum", field: "n" })).toEqual([{ group: null, value: 16, count: 4 }]);
    expect(aggregate(rows, { operation: "avg", field: "n", groupBy: "team" }).map((g) => g.value)).toEqual([
      2, 10, 4,
    ]);
    expect(aggregate([{ n: "x" }], { operation: "avg", field: "n" })[0].value).toBeNull();
    expect(aggregate([{ n: "x" }], { operation: "sum", field: "n" })[0].value).toBe(0);
  });

  it("takes min and max of numbers (skipping stray texts) or of dates", () => {
    expect(aggregate(rows, { operation: "min", field: "when" })[0].value).toBe("2026-01-31");
    expect(aggregate(rows, { operation: "max", field: "n" })[0].value).toBe(10);
    expect(aggregate(rows, { operation: "min", field: "n" })[0].value).toBe(2);
    expect(aggregate([{ n: null }], { operation: "max", field: "n" })[0].value).toBeNull();
  });

  it("groups by month of a date field", () => {
    expect(aggregate(rows, { operation: "count", groupBy: "when", byMonth: true })).toEqual([
      { group: "2026-01", value: 1, count: 1 },
      { group: "2026-03", value: 2, count: 2 },
      { group: null, value: 1, count: 1 },
    ]);
    expect([monthOf("2026-11-30"), monthOf("soon"), monthOf(42)]).toEqual(["2026-11", null, null]);
  });

  it("refuses a sum without a field and byMonth without groupBy", () => {
    expect(() => aggregate(rows, { operation: "sum" })).toThrow(/needs a "field"/);
    expect(() => aggregate(rows, { operation: "count", byMonth: true })).toThrow(/groupBy/);
  });
});

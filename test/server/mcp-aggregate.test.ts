/** The grouping of aggregate_records / aggregate_history: several dimensions, date pivots, metrics. */
import { describe, expect, it } from "vitest";
import {
  aggregate,
  type Dimension,
  keysOf,
  monthOf,
  parseDimension,
  weekOf,
} from "../../runtime/server/mcp/aggregate.ts";

const rows = [
  { team: "a", n: 2, when: "2026-03-05T10:00:00.000Z", tags: ["x", "y"] },
  { team: "b", n: 10, when: "2026-01-31", tags: [] },
  { team: "a", n: "not a number", when: "2026-03-30T23:59:59.000Z", tags: ["x"] },
  { team: null, n: 4, when: null, tags: null },
];

const isDate = (field: string) => field === "when";
const dimension = (name: string, label?: (key: string) => string | undefined): Dimension => {
  const spec = parseDimension(name, isDate);
  return { name, keys: (row) => keysOf(row[spec.field], spec.pivot), label };
};

describe("aggregate", () => {
  it("counts per group, null group last, groups sorted; no dimension is one total", () => {
    expect(aggregate(rows, [dimension("team")])).toEqual([
      { team: "a", count: 2 },
      { team: "b", count: 1 },
      { team: null, count: 1 },
    ]);
    expect(aggregate(rows, [])).toEqual([{ count: 4 }]);
  });

  it("groups by several dimensions at once, a list field counting in each of its values", () => {
    expect(aggregate(rows, [dimension("team"), dimension("tags")])).toEqual([
      { team: "a", tags: "x", count: 2 },
      { team: "a", tags: "y", count: 1 },
      { team: "b", tags: null, count: 1 },
      { team: null, tags: null, count: 1 },
    ]);
  });

  it("groups a plain date field by month, and by __pivotbymonth / __pivotbyweek", () => {
    expect(aggregate(rows, [dimension("when")]).map((g) => [g.when, g.count])).toEqual([
      ["2026-01", 1],
      ["2026-03", 2],
      [null, 1],
    ]);
    expect(aggregate(rows, [dimension("when__pivotbyweek")]).map((g) => g.when__pivotbyweek)).toEqual([
      "2026-W05",
      "2026-W10",
      "2026-W14",
      null,
    ]);
    expect(parseDimension("when__pivotbymonth", isDate)).toEqual({
      name: "when__pivotbymonth",
      field: "when",
      pivot: "month",
    });
    expect(() => parseDimension("team__pivotbyweek", isDate)).toThrow(/needs a date field/);
    expect([monthOf("2026-11-30"), monthOf("soon"), monthOf(42)]).toEqual(["2026-11", null, null]);
    // ISO weeks: 1 January 2027 is a Friday, in week 53 of 2026; 4 January 2027 starts week 1.
    expect([weekOf("2027-01-01"), weekOf("2027-01-04T08:00:00Z"), weekOf("x")]).toEqual([
      "2026-W53",
      "2027-W01",
      null,
    ]);
  });

  it("adds sum, avg, min and max of a metric over its numbers only", () => {
    expect(aggregate(rows, [dimension("team")], (row) => row.n)).toEqual([
      { team: "a", count: 2, sum: 2, avg: 2, min: 2, max: 2 },
      { team: "b", count: 1, sum: 10, avg: 10, min: 10, max: 10 },
      { team: null, count: 1, sum: 4, avg: 4, min: 4, max: 4 },
    ]);
    expect(aggregate([{ n: "x" }], [], (row) => row.n)).toEqual([
      { count: 1, sum: 0, avg: null, min: null, max: null },
    ]);
  });

  it("labels a key when the label differs (a lookup's caption, a person's name)", () => {
    const labels: Record<string, string> = { a: "Team A" };
    expect(aggregate(rows, [dimension("team", (key) => labels[key] ?? key)])[0]).toEqual({
      team: "a",
      team__label: "Team A",
      count: 2,
    });
  });
});

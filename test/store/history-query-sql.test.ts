/** The history query's one WHERE builder: both engines get the same conditions, numbered their way. */
import { describe, expect, it } from "vitest";
import { historyQuerySql } from "../../runtime/store/history-filter.ts";
import type { FilterNode } from "../../runtime/store/filter.ts";

const postgres = {
  placeholder: (index: number) => `$${index}`,
  contains: (haystack: string, needle: string) => `strpos(lower(${haystack}), lower(${needle})) > 0`,
};
const sqlite = {
  placeholder: () => "?",
  contains: (haystack: string, needle: string) => `instr(lower(${haystack}), lower(${needle})) > 0`,
};

const filter: FilterNode = {
  kind: "and",
  items: [
    { kind: "compare", field: "version_account", op: "=", value: "u1" },
    { kind: "contains", field: "comment", value: "x' OR 1=1" },
  ],
};

describe("historyQuerySql", () => {
  it("numbers Postgres placeholders in the order their values are bound", () => {
    const { sql, params } = historyQuerySql(
      { workspace: "W", app: "T", since: "2030", until: "2031", filter, limit: 5, newestFirst: true },
      postgres,
    );
    expect(params).toEqual(["W", "2030", "T", "2031", "u1", "x' OR 1=1", 5]);
    expect(sql).toBe(
      "SELECT * FROM record_history WHERE workspace = $1 AND ts >= $2 AND app = $3 AND ts < $4 AND (actor = $5 AND strpos(lower(comment), lower($6)) > 0) ORDER BY seq DESC LIMIT $7",
    );
  });

  it("gives SQLite the same conditions with its own placeholders and contains", () => {
    const { sql, params } = historyQuerySql({ workspace: "W", filter }, sqlite);
    expect(params).toEqual(["W", "", "u1", "x' OR 1=1", 1000]);
    expect(sql).toBe(
      "SELECT * FROM record_history WHERE workspace = ? AND ts >= ? AND (actor = ? AND instr(lower(comment), lower(?)) > 0) ORDER BY seq LIMIT ?",
    );
  });
});

/**
 * A filter over the history's own fields (`version_account="u1" AND version_timestamp>="2026-03-01"`)
 * -> SQL for both engines. History entries have no app fields to filter on, only these columns;
 * every value is a bound parameter and any other field name is refused, naming the ones there are.
 */
import { RuntimeError } from "../errors.ts";
import type { FilterNode, FilterValue } from "./filter.ts";
import type { HistoryQuery } from "./types.ts";

/** The API's names for the history columns. */
export const HISTORY_FIELDS: Readonly<Record<string, string>> = {
  version_account: "actor",
  version_timestamp: "ts",
  transition: "transition",
  action: "action",
  comment: "comment",
  app: "app",
  record_id: "record_id",
};

export interface HistorySqlDialect {
  /** Binds a parameter and returns its placeholder. */
  param(value: string | null): string;
  /** A condition: text expression `haystack` contains the bound text `needle`, ignoring case. */
  contains(haystack: string, needle: string): string;
}

function columnOf(field: string): string {
  const column = HISTORY_FIELDS[field];
  if (!column)
    throw new RuntimeError(
      "bad_request",
      `History can be filtered on ${Object.keys(HISTORY_FIELDS).join(", ")} only, not "${field.slice(0, 64)}".`,
    );
  return column;
}

const text = (value: FilterValue) => (value === null ? null : String(value));

export function compileHistoryFilter(node: FilterNode, d: HistorySqlDialect): string {
  switch (node.kind) {
    case "and":
    case "or":
      return node.items.length
        ? `(${node.items.map((item) => compileHistoryFilter(item, d)).join(node.kind === "and" ? " AND " : " OR ")})`
        : "1=1";
    case "compare": {
      const column = columnOf(node.field);
      if (node.value === null)
        return node.op === "=" ? `${column} IS NULL` : node.op === "!=" ? `${column} IS NOT NULL` : "1=0";
      const bound = d.param(text(node.value));
      // `!=` keeps entries without a value (a comment-less entry is "not this comment").
      return node.op === "!="
        ? `(${column} IS NULL OR ${column} <> ${bound})`
        : `${column} ${node.op} ${bound}`;
    }
    case "in":
    case "has": {
      const column = columnOf(node.field);
      const list = node.values.map((value) => d.param(text(value))).join(", ") || "NULL";
      return node.negate ? `(${column} IS NULL OR ${column} NOT IN (${list}))` : `${column} IN (${list})`;
    }
    case "contains":
      return d.contains(columnOf(node.field), d.param(node.value));
  }
}

/** What `historyQuerySql` needs of an engine: its placeholders and its case-blind "contains". */
export interface HistoryQueryDialect {
  /** The placeholder of the n-th bound parameter (1-based): "?" or "$n". */
  placeholder(index: number): string;
  /** A condition: text expression `haystack` contains the bound text `needle`, ignoring case. */
  contains(haystack: string, needle: string): string;
}

/**
 * The history query across an app or workspace (`HistoryPort.historyQuery`) for either engine:
 * one WHERE builder, so both filter, order and limit the same way; every value is bound.
 */
export function historyQuerySql(
  query: HistoryQuery,
  dialect: HistoryQueryDialect,
): { sql: string; params: (string | number | null)[] } {
  const params: (string | number | null)[] = [];
  const param = (value: string | number | null) => {
    params.push(value);
    return dialect.placeholder(params.length);
  };
  const where = [`workspace = ${param(query.workspace)}`, `ts >= ${param(query.since ?? "")}`];
  if (query.app) where.push(`app = ${param(query.app)}`);
  if (query.until) where.push(`ts < ${param(query.until)}`);
  if (query.filter) where.push(compileHistoryFilter(query.filter, { param, contains: dialect.contains }));
  const limit = param(query.limit ?? 1000);
  return {
    sql: `SELECT * FROM record_history WHERE ${where.join(" AND ")} ORDER BY seq${query.newestFirst ? " DESC" : ""} LIMIT ${limit}`,
    params,
  };
}

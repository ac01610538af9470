/** SQL for record lookups: field names are pattern-checked, every value is a bound parameter. */
import type { RecordQuery } from "../types.ts";
import { assertFieldName, parseSortBy, RECORD_COLUMNS } from "../field-names.ts";
import { equalityFilter, type FilterNode, type FilterValue } from "../filter.ts";

type Param = string | number | null;

/** Record properties that live in columns; the API's names for app and workspace map onto them. */
const COLUMN_ALIASES: Record<string, string> = { publishing_alias: "app", project_alias: "workspace" };

function fieldExpr(field: string): string {
  assertFieldName(field);
  if (COLUMN_ALIASES[field]) return COLUMN_ALIASES[field];
  return RECORD_COLUMNS.has(field) ? field : `json_extract(fields, '$.${field}')`;
}

function bind(value: FilterValue, params: Param[]): string {
  params.push(typeof value === "boolean" ? (value ? 1 : 0) : value);
  return "?";
}

function compare(field: string, op: string, value: FilterValue, params: Param[]): string {
  const expr = fieldExpr(field);
  if (value === null) {
    if (op === "=") return `${expr} IS NULL`;
    if (op === "!=") return `${expr} IS NOT NULL`;
    return "0";
  }
  if (typeof value === "object") {
    params.push(JSON.stringify(value));
    return op === "=" ? `${expr} = json(?)` : op === "!=" ? `(${expr} IS NULL OR ${expr} != json(?))` : "0";
  }
  if (typeof value === "boolean" && !RECORD_COLUMNS.has(field)) {
    const test = `json_type(fields, '$.${field}') = '${value ? "true" : "false"}'`;
    return op === "!=" ? `NOT (${test})` : op === "=" ? test : "0";
  }
  // `state != "closed"` keeps records that have no state at all.
  if (op === "!=") return `(${expr} IS NULL OR ${expr} != ${bind(value, params)})`;
  return `${expr} ${op} ${bind(value, params)}`;
}

export function compileFilter(node: FilterNode, params: Param[]): string {
  switch (node.kind) {
    case "and":
    case "or":
      return node.items.length ? `(${node.items.map((item) => compileFilter(item, params)).join(node.kind === "and" ? " AND " : " OR ")})` : "1";
    case "compare":
      return compare(node.field, node.op, node.value, params);
    case "in": {
      params.push(JSON.stringify(node.values));
      const test = `${fieldExpr(node.field)} IN (SELECT value FROM json_each(?))`;
      return node.negate ? `(${fieldExpr(node.field)} IS NULL OR NOT ${test})` : test;
    }
    case "contains":
      params.push(node.value.toLowerCase());
      return `instr(lower(CAST(${fieldExpr(node.field)} AS TEXT)), ?) > 0`;
  }
}

function whereClause(query: RecordQuery, params: Param[]): string {
  const where = ["workspace = ?"];
  params.push(query.workspace);
  if (query.app) {
    where.push("app = ?");
    params.push(query.app);
  }
  for (const node of [equalityFilter(query.where), query.filter]) if (node) where.push(compileFilter(node, params));
  return where.join(" AND ");
}

export function recordQuerySql(query: RecordQuery): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const where = whereClause(query, params);
  const order = parseSortBy(query.sortBy).map((key) => `${fieldExpr(key.field)} ${key.descending ? "DESC" : "ASC"}`);
  params.push(query.limit ?? -1, query.offset ?? 0);
  return { sql: `SELECT * FROM records WHERE ${where} ORDER BY ${[...order, "rowid"].join(", ")} LIMIT ? OFFSET ?`, params };
}

export function countQuerySql(query: RecordQuery): { sql: string; params: Param[] } {
  const params: Param[] = [];
  return { sql: `SELECT count(*) AS n FROM records WHERE ${whereClause(query, params)}`, params };
}

/** Records whose first key field is one of the candidate values; the caller checks the other keys. */
export function keysQuerySql(workspace: string, app: string, keyFields: string[], keys: unknown[][]): { sql: string; params: Param[] } {
  const values = keys.map((key) => key[0]);
  return {
    sql: `SELECT * FROM records WHERE workspace = ? AND app = ? AND ${fieldExpr(keyFields[0])} IN (SELECT value FROM json_each(?))`,
    params: [workspace, app, JSON.stringify(values)],
  };
}

/** SQL for record lookups: field names are pattern-checked, every value is a bound parameter. */
import type { RecordQuery } from "../types.ts";
import { assertFieldName, parseSortBy, RECORD_COLUMNS } from "../field-names.ts";

type Param = string | number | null;

function fieldExpr(field: string): string {
  assertFieldName(field);
  return RECORD_COLUMNS.has(field) ? field : `json_extract(fields, '$.${field}')`;
}

function equality(field: string, value: unknown, params: Param[]): string {
  const expr = fieldExpr(field);
  if (value === null || value === undefined) return `${expr} IS NULL`;
  if (typeof value === "boolean") {
    params.push(value ? "true" : "false");
    return `json_type(fields, '$.${field}') = ?`;
  }
  if (typeof value === "object") {
    params.push(JSON.stringify(value));
    return `${expr} = json(?)`;
  }
  params.push(typeof value === "number" ? value : String(value));
  return `${expr} = ?`;
}

export function recordQuerySql(query: RecordQuery): { sql: string; params: Param[] } {
  const params: Param[] = [query.workspace, query.app];
  const where = ["workspace = ?", "app = ?"];
  for (const [field, value] of Object.entries(query.where ?? {})) where.push(equality(field, value, params));
  const order = parseSortBy(query.sortBy).map((key) => `${fieldExpr(key.field)} ${key.descending ? "DESC" : "ASC"}`);
  params.push(query.limit ?? -1, query.offset ?? 0);
  return { sql: `SELECT * FROM records WHERE ${where.join(" AND ")} ORDER BY ${[...order, "rowid"].join(", ")} LIMIT ? OFFSET ?`, params };
}

/** Records whose first key field is one of the candidate values; the caller checks the other keys. */
export function keysQuerySql(workspace: string, app: string, keyFields: string[], keys: unknown[][]): { sql: string; params: Param[] } {
  const first = keyFields[0];
  const values = keys.map((key) => key[0]);
  return {
    sql: `SELECT * FROM records WHERE workspace = ? AND app = ? AND ${fieldExpr(first)} IN (SELECT value FROM json_each(?))`,
    params: [workspace, app, JSON.stringify(values)],
  };
}

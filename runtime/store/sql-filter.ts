/**
 * Filter trees -> SQL WHERE text for both engines. A dialect says how to reach a JSON field and
 * bind a parameter; the semantics (types must match, `!=` keeps missing values, null = missing)
 * live here once. Field names are pattern-checked; every value is a bound parameter.
 */
import { assertFieldName, RECORD_COLUMNS } from "./field-names.ts";
import type { FilterNode, FilterValue } from "./filter.ts";

export interface SqlDialect {
  /** The LIMIT value that means "no limit" (SQLite -1, Postgres NULL). */
  unlimited: number | null;
  /** Binds a parameter and returns its placeholder. */
  param(value: string | number | null): string;
  /** The field's JSON value, comparable with `typed()` parameters. */
  value(field: string): string;
  /** The field's value as text. */
  text(field: string): string;
  /** A condition: the field holds a JSON value of this kind. */
  isKind(field: string, kind: "number" | "string" | "true" | "false"): string;
  /** A condition: the field is missing or JSON null. */
  isNull(field: string): string;
  /** A bound parameter comparable with `value()` (number or string). */
  typed(value: string | number): string;
  /** A bound JSON document comparable with `value()` (objects, arrays). */
  json(value: unknown): string;
  /** A condition: the field's value is one of the JSON array's elements. */
  inList(field: string, values: FilterValue[]): string;
  /** A condition: text expression `haystack` contains the bound text `needle`, ignoring case. */
  contains(haystack: string, needle: string): string;
  /** A condition: the field is a JSON array holding one of the values. */
  hasAny(field: string, values: FilterValue[]): string;
}

/** The API's names for the app and workspace columns. */
const COLUMN_ALIASES = new Map([
  ["publishing_alias", "app"],
  ["project_alias", "workspace"],
]);

export function columnOf(field: string): string | undefined {
  assertFieldName(field);
  return COLUMN_ALIASES.get(field) ?? (RECORD_COLUMNS.has(field) ? field : undefined);
}

function compareColumn(column: string, op: string, value: FilterValue, d: SqlDialect): string {
  if (value === null) return op === "=" ? `${column} IS NULL` : op === "!=" ? `${column} IS NOT NULL` : "1=0";
  const bound = d.param(typeof value === "boolean" ? String(value) : value);
  return op === "!=" ? `${column} <> ${bound}` : `${column} ${op} ${bound}`;
}

function compare(field: string, op: string, value: FilterValue | object, d: SqlDialect): string {
  const column = columnOf(field);
  if (column) return compareColumn(column, op, value as FilterValue, d);
  if (value === null) return op === "=" ? d.isNull(field) : op === "!=" ? `NOT (${d.isNull(field)})` : "1=0";
  if (typeof value === "boolean") {
    const test = d.isKind(field, value ? "true" : "false");
    return op === "=" ? test : op === "!=" ? `NOT (${test})` : "1=0";
  }
  if (typeof value === "object") {
    const test = `(NOT (${d.isNull(field)}) AND ${d.value(field)} = ${d.json(value)})`;
    return op === "=" ? test : op === "!=" ? `NOT ${test}` : "1=0";
  }
  const kind = d.isKind(field, typeof value === "number" ? "number" : "string");
  // `state != "closed"` keeps records whose state is missing, null or of another type.
  if (op === "!=") return `(NOT (${kind}) OR ${d.value(field)} <> ${d.typed(value)})`;
  return `(${kind} AND ${d.value(field)} ${op} ${d.typed(value)})`;
}

export function compileFilter(node: FilterNode, d: SqlDialect): string {
  switch (node.kind) {
    case "and":
    case "or":
      return node.items.length
        ? `(${node.items.map((item) => compileFilter(item, d)).join(node.kind === "and" ? " AND " : " OR ")})`
        : "1=1";
    case "compare":
      return compare(node.field, node.op, node.value, d);
    case "in": {
      const column = columnOf(node.field);
      const test = column
        ? `${column} IN (${node.values.map((v) => d.param(v === null ? null : typeof v === "boolean" ? String(v) : v)).join(", ") || "NULL"})`
        : d.inList(node.field, node.values);
      if (!node.negate) return test;
      // Like `!=`, `not in` keeps records whose value is missing or null (SQL's NOT IN would not).
      return column ? `NOT (${test})` : `(${d.isNull(node.field)} OR NOT (${test}))`;
    }
    case "contains":
      return d.contains(columnOf(node.field) ?? d.text(node.field), d.param(node.value));
    case "has": {
      assertFieldName(node.field);
      const test = d.hasAny(node.field, node.values);
      return node.negate ? `NOT ${test}` : test;
    }
  }
}

/** ORDER BY text for parsed sort keys; NULLs first ascending, last descending, on both engines. */
export function orderBy(
  keys: { field: string; descending: boolean }[],
  d: SqlDialect,
  tieBreak: string,
): string {
  const parts = keys.map((key) => {
    const expr = columnOf(key.field) ?? d.value(key.field);
    return key.descending ? `${expr} DESC NULLS LAST` : `${expr} ASC NULLS FIRST`;
  });
  return [...parts, tieBreak].join(", ");
}

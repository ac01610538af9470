/**
 * Evaluates a filter tree against one record in memory, with the same semantics the SQL compiler
 * gives it (runtime/store/sql-filter.ts): types must match, `!=` keeps missing values, null means
 * missing, `~` is a case-insensitive "contains". Used for the action's own uncommitted writes,
 * which a query inside the logic must see although they are not in the store yet.
 */
import type { FilterNode, FilterValue } from "../store/index.ts";

/** Reads a field of the record (base, custom, or a column such as id / number / update_date). */
export type FieldReader = (field: string) => unknown;

function ordered(a: string | number, op: string, b: string | number): boolean {
  switch (op) {
    case "=":
      return a === b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    default:
      return false;
  }
}

function compare(actual: unknown, op: string, expected: FilterValue): boolean {
  const missing = actual === null || actual === undefined;
  if (expected === null) return op === "=" ? missing : op === "!=" ? !missing : false;
  if (op === "!=") return missing || typeof actual !== typeof expected || actual !== expected;
  if (missing || typeof actual !== typeof expected) return false;
  if (typeof expected === "boolean") return op === "=" && actual === expected;
  return ordered(actual as string | number, op, expected);
}

export function matchesFilter(node: FilterNode | undefined, read: FieldReader): boolean {
  if (!node) return true;
  switch (node.kind) {
    case "and":
      return node.items.every((item) => matchesFilter(item, read));
    case "or":
      return node.items.length === 0 || node.items.some((item) => matchesFilter(item, read));
    case "compare":
      return compare(read(node.field), node.op, node.value);
    case "in": {
      const value = read(node.field) ?? null;
      const found = node.values.some((candidate) => candidate === value);
      return node.negate ? !found : found;
    }
    case "has": {
      const value = read(node.field);
      const found = Array.isArray(value) && value.some((item) => node.values.includes(item));
      return node.negate ? !found : found;
    }
    case "contains": {
      const value = read(node.field);
      if (value === null || value === undefined) return false;
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return text.toLowerCase().includes(node.value.toLowerCase());
    }
  }
}

/**
 * Aggregations for the MCP tools `aggregate_records` and `aggregate_history`: count / sum / avg /
 * min / max of a field, grouped by a field's value or by the month of a date field. Pure functions
 * over plain values, so both engines give the same answer.
 */
import { RuntimeError } from "../../errors.ts";

export type Operation = "count" | "sum" | "avg" | "min" | "max";

export interface AggregateSpec {
  operation: Operation;
  /** The number (or date, for min/max) field to aggregate; not needed for `count`. */
  field?: string;
  /** Group by this field's value, or by the month ("2026-11") of a date field with `byMonth`. */
  groupBy?: string;
  byMonth?: boolean;
}

export interface AggregateRow {
  group: string | null;
  /** The aggregate; `null` when the group has no value to aggregate (e.g. avg of no numbers). */
  value: number | string | null;
  /** Records in the group. */
  count: number;
}

type Row = Record<string, unknown>;

/** "2026-11" for an ISO date or date-time; null when the value is not a date. */
export function monthOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const match = /^(\d{4})-(\d{2})/.exec(value);
  return match ? `${match[1]}-${match[2]}` : null;
}

function groupKey(row: Row, spec: AggregateSpec): string | null {
  if (!spec.groupBy) return null;
  const value = row[spec.groupBy];
  if (spec.byMonth) return monthOf(value);
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function reduce(values: unknown[], operation: Operation): number | string | null {
  if (operation === "count") return values.length;
  if (operation === "min" || operation === "max") {
    // Numbers when the field holds any (a stray text value is skipped), else texts such as ISO dates.
    const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const texts = values.filter((v): v is string => typeof v === "string");
    const candidates: (number | string)[] = numbers.length > 0 ? numbers : texts;
    if (candidates.length === 0) return null;
    return candidates.reduce((best, v) => ((operation === "min" ? v < best : v > best) ? v : best));
  }
  const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (numbers.length === 0) return operation === "sum" ? 0 : null;
  const sum = numbers.reduce((a, b) => a + b, 0);
  return operation === "sum" ? sum : sum / numbers.length;
}

export function aggregate(rows: Row[], spec: AggregateSpec): AggregateRow[] {
  if (spec.operation !== "count" && !spec.field)
    throw new RuntimeError(
      "bad_request",
      `"${spec.operation}" needs a "field" to aggregate, e.g. "c_total".`,
    );
  if (spec.byMonth && !spec.groupBy)
    throw new RuntimeError(
      "bad_request",
      '"byMonth" needs "groupBy" naming a date field, e.g. "creation_date".',
    );
  const groups = new Map<string | null, Row[]>();
  for (const row of rows) {
    const key = groupKey(row, spec);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const result = [...groups.entries()].map(([group, members]) => ({
    group,
    value: reduce(
      spec.operation === "count" ? members : members.map((m) => m[spec.field as string]),
      spec.operation,
    ),
    count: members.length,
  }));
  // Stable, readable order: by group (months sort chronologically), null group last.
  return result.sort((a, b) =>
    a.group === b.group ? 0 : a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : 1,
  );
}

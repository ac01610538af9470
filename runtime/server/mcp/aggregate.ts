/**
 * Grouping for `aggregate_records` and `aggregate_history`: several dimensions in one call (each
 * group is one combination of their values), a date dimension by month (`__pivotbymonth`, also a
 * plain date field) or ISO week (`__pivotbyweek`), and count plus sum / avg / min / max of a
 * numeric metric. Pure functions over plain values, so both engines give the same answer.
 */
import { RuntimeError } from "../../errors.ts";

export type Pivot = "month" | "week" | null;

export interface DimensionSpec {
  /** As the client named it, e.g. "creation_date__pivotbymonth"; the key of the group's value. */
  name: string;
  field: string;
  pivot: Pivot;
}

export interface Dimension {
  name: string;
  /** The row's values for this dimension: several for a list field (the row counts in each). */
  keys(row: Record<string, unknown>): (string | null)[];
  /** A readable label for a key (a person's name, a lookup's caption), when it differs. */
  label?(key: string): string | undefined;
}

export interface Group {
  [dimension: string]: unknown;
  count: number;
}

const PIVOTS: Record<string, Pivot> = { __pivotbymonth: "month", __pivotbyweek: "week" };

/** "creation_date__pivotbyweek" -> field + pivot; a plain date field groups by month. */
export function parseDimension(name: string, isDate: (field: string) => boolean): DimensionSpec {
  const suffix = Object.keys(PIVOTS).find((s) => name.endsWith(s));
  const field = suffix ? name.slice(0, -suffix.length) : name;
  if (suffix && !isDate(field))
    throw new RuntimeError("bad_request", `"${name}": ${suffix} needs a date field; "${field}" is not one.`);
  return { name, field, pivot: suffix ? PIVOTS[suffix] : isDate(field) ? "month" : null };
}

/** "2026-11" for an ISO date or date-time; null when the value is not a date. */
export function monthOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const match = /^(\d{4})-(\d{2})/.exec(value);
  return match ? `${match[1]}-${match[2]}` : null;
}

/** ISO 8601 week ("2026-W03") of an ISO date or date-time (its calendar day as written). */
export function weekOf(value: unknown): string | null {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const day = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return null;
  const thursday = new Date(day);
  thursday.setUTCDate(day.getUTCDate() + 3 - ((day.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** A value as a group key (dates pivoted); a list gives one key per element. */
export function keysOf(value: unknown, pivot: Pivot): (string | null)[] {
  if (Array.isArray(value)) return value.length ? value.flatMap((item) => keysOf(item, pivot)) : [null];
  if (value === null || value === undefined || value === "") return [null];
  if (pivot === "month") return [monthOf(value)];
  if (pivot === "week") return [weekOf(value)];
  return [typeof value === "string" ? value : JSON.stringify(value)];
}

function combinations(dimensions: Dimension[], row: Record<string, unknown>): (string | null)[][] {
  return dimensions.reduce<(string | null)[][]>(
    (sets, dimension) => sets.flatMap((set) => dimension.keys(row).map((key) => [...set, key])),
    [[]],
  );
}

function metrics(values: unknown[]) {
  const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (numbers.length === 0) return { sum: 0, avg: null, min: null, max: null };
  const sum = numbers.reduce((a, b) => a + b, 0);
  return { sum, avg: sum / numbers.length, min: Math.min(...numbers), max: Math.max(...numbers) };
}

const compareKeys = (a: (string | null)[], b: (string | null)[]) => {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return 1;
    if (b[i] === null) return -1;
    return (a[i] as string) < (b[i] as string) ? -1 : 1;
  }
  return 0;
};

/** Groups sorted by their keys (months and weeks chronologically), null keys last. */
export function aggregate(
  rows: Record<string, unknown>[],
  dimensions: Dimension[],
  metric?: (row: Record<string, unknown>) => unknown,
): Group[] {
  const groups = new Map<string, { keys: (string | null)[]; rows: Record<string, unknown>[] }>();
  for (const row of rows)
    for (const keys of combinations(dimensions, row)) {
      const id = JSON.stringify(keys);
      const group = groups.get(id) ?? { keys, rows: [] };
      group.rows.push(row);
      groups.set(id, group);
    }
  return [...groups.values()]
    .sort((a, b) => compareKeys(a.keys, b.keys))
    .map(({ keys, rows: members }) => {
      const group: Group = { count: members.length };
      dimensions.forEach((dimension, i) => {
        group[dimension.name] = keys[i];
        const label = keys[i] === null ? undefined : dimension.label?.(keys[i] as string);
        if (label !== undefined && label !== keys[i]) group[`${dimension.name}__label`] = label;
      });
      return metric ? { ...group, ...metrics(members.map(metric)) } : group;
    });
}

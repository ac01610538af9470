/** The record queries both engines run, written once over a dialect (see sql-filter.ts). */
import { parseSortBy } from "./field-names.ts";
import { equalityFilter, type FilterValue } from "./filter.ts";
import { compileFilter, orderBy, type SqlDialect } from "./sql-filter.ts";
import type { RecordQuery } from "./types.ts";
import { RuntimeError } from "../errors.ts";

export type Param = string | number | null;
type Sql = { sql: string; params: Param[] };

/** Limits and offsets reach SQL only as small whole numbers. */
function count(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0 || value > 1_000_000_000)
    throw new RuntimeError("bad_request", `${what} must be a whole number from 0 to 1000000000.`);
  return value;
}

function whereClause(query: RecordQuery, d: SqlDialect): string {
  const where = [`workspace = ${d.param(query.workspace)}`];
  if (query.app) where.push(`app = ${d.param(query.app)}`);
  for (const node of [equalityFilter(query.where), query.filter])
    if (node) where.push(compileFilter(node, d));
  return where.join(" AND ");
}

/**
 * @param dialectFor makes a dialect that appends to `params`
 * @param tieBreak column that keeps insertion order among equal sort keys
 */
export function recordSql(dialectFor: (params: Param[]) => SqlDialect, tieBreak: string) {
  return {
    select(query: RecordQuery): Sql {
      const params: Param[] = [];
      const d = dialectFor(params);
      const where = whereClause(query, d);
      const limit = d.param(count(query.limit, "limit") ?? d.unlimited);
      const offset = d.param(count(query.offset, "skip") ?? 0);
      return {
        sql: `SELECT * FROM records WHERE ${where} ORDER BY ${orderBy(parseSortBy(query.sortBy), d, tieBreak)} LIMIT ${limit} OFFSET ${offset}`,
        params,
      };
    },
    count(query: RecordQuery): Sql {
      const params: Param[] = [];
      return {
        sql: `SELECT count(*) AS n FROM records WHERE ${whereClause(query, dialectFor(params))}`,
        params,
      };
    },
    /** Records whose first key field is one of the candidate values; the caller checks the other keys. */
    byKeys(workspace: string, app: string, keyFields: string[], keys: unknown[][]): Sql {
      const params: Param[] = [];
      const d = dialectFor(params);
      // Placeholders bind in order of appearance: build the text left to right.
      const scope = `workspace = ${d.param(workspace)} AND app = ${d.param(app)}`;
      const test = compileFilter(
        { kind: "in", field: keyFields[0], values: keys.map((key) => key[0] as FilterValue), negate: false },
        d,
      );
      return { sql: `SELECT * FROM records WHERE ${scope} AND ${test}`, params };
    },
  };
}

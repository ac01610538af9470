/** The SQLite dialect (JSON1 functions) of the record queries in ../record-sql.ts. */
import type { FilterValue } from "../filter.ts";
import { recordSql, type Param } from "../record-sql.ts";
import type { SqlDialect } from "../sql-filter.ts";

/** `json_extract(fields, '$.name')`: the name is pattern-checked before it is placed here. */
const path = (field: string) => `'$.${field}'`;

export function sqliteDialect(params: Param[]): SqlDialect {
  const param = (value: Param) => {
    params.push(value);
    return "?";
  };
  return {
    unlimited: -1,
    param,
    value: (field) => `json_extract(fields, ${path(field)})`,
    text: (field) => `CAST(json_extract(fields, ${path(field)}) AS TEXT)`,
    isKind: (field, kind) => {
      const types =
        kind === "number" ? "('integer', 'real')" : kind === "string" ? "('text')" : `('${kind}')`;
      return `COALESCE(json_type(fields, ${path(field)}) IN ${types}, 0)`;
    },
    isNull: (field) => `json_extract(fields, ${path(field)}) IS NULL`,
    typed: (value) => param(value),
    json: (value) => `json(${param(JSON.stringify(value))})`,
    inList: (field, values: FilterValue[]) =>
      `json_extract(fields, ${path(field)}) IN (SELECT value FROM json_each(${param(JSON.stringify(values))}))`,
    contains: (haystack, needle) => `instr(lower(${haystack}), lower(${needle})) > 0`,
    hasAny: (field, values: FilterValue[]) =>
      `(COALESCE(json_type(fields, ${path(field)}) = 'array', 0) AND EXISTS (SELECT 1 FROM json_each(fields, ${path(field)}) AS e WHERE e.value IN (SELECT value FROM json_each(${param(JSON.stringify(values))}))))`,
  };
}

export const sqliteSql = recordSql(sqliteDialect, "rowid");

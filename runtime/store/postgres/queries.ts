/** The Postgres dialect (JSONB) of the record queries in ../record-sql.ts. */
import type { FilterValue } from "../filter.ts";
import { recordSql, type Param } from "../record-sql.ts";
import type { SqlDialect } from "../sql-filter.ts";

/** `fields -> 'name'`: the name is pattern-checked before it is placed here. */
const jsonField = (field: string) => `(fields -> '${field}')`;

export function postgresDialect(params: Param[]): SqlDialect {
  const param = (value: Param) => {
    params.push(value);
    return `$${params.length}`;
  };
  const typed = (value: unknown) => `${param(JSON.stringify(value))}::jsonb`;
  return {
    unlimited: null,
    param,
    value: jsonField,
    text: (field) => `(fields ->> '${field}')`,
    isKind: (field, kind) =>
      kind === "true" || kind === "false"
        ? `COALESCE(${jsonField(field)} = '${kind}'::jsonb, false)`
        : `COALESCE(jsonb_typeof(${jsonField(field)}) = '${kind}', false)`,
    isNull: (field) => `(${jsonField(field)} IS NULL OR ${jsonField(field)} = 'null'::jsonb)`,
    typed,
    json: typed,
    // A hashed subplan over the JSONB array: fast for the 1,000-key batches of importData.
    inList: (field, values: FilterValue[]) =>
      `${jsonField(field)} IN (SELECT jsonb_array_elements(${typed(values)}))`,
    contains: (haystack, needle) => `strpos(lower(${haystack}), lower(${needle})) > 0`,
    hasAny: (field, values: FilterValue[]) =>
      `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${jsonField(field)}) = 'array' THEN ${jsonField(field)} ELSE '[]'::jsonb END) AS e(v) WHERE e.v IN (SELECT jsonb_array_elements(${typed(values)})))`,
  };
}

export const postgresSql = recordSql(postgresDialect, "seq");

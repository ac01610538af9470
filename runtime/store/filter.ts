/**
 * The filter tree both stores compile to parameterised SQL (the REST API's rlx language parses
 * into it). Field names are checked by the compilers; values are always bound parameters.
 */
export type FilterValue = string | number | boolean | null;
export type Comparison = "=" | "!=" | ">" | "<" | ">=" | "<=";

export type FilterNode =
  | { kind: "and"; items: FilterNode[] }
  | { kind: "or"; items: FilterNode[] }
  | { kind: "compare"; field: string; op: Comparison; value: FilterValue }
  | { kind: "in"; field: string; values: FilterValue[]; negate: boolean }
  | { kind: "contains"; field: string; value: string }
  /** A list field (people, links, multi-lookups) holds one of `values`; `negate`: holds none (or is empty). */
  | { kind: "has"; field: string; values: FilterValue[]; negate: boolean };

/** Equality filter object (`{ c_key: "x" }`) as a filter tree. */
export function equalityFilter(where: Record<string, unknown> | undefined): FilterNode | undefined {
  const entries = Object.entries(where ?? {});
  if (entries.length === 0) return undefined;
  return {
    kind: "and",
    items: entries.map(([field, value]) => ({
      kind: "compare",
      field,
      op: "=",
      value: value as FilterValue,
    })),
  };
}

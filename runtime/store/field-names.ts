/** Field names and sort clauses that may be placed into SQL: checked against a strict pattern. */
import { RuntimeError } from "../errors.ts";

const FIELD_NAME = /^[a-z_][a-z0-9_]{0,62}$/i;

export function assertFieldName(name: string): string {
  if (!FIELD_NAME.test(name))
    throw new RuntimeError(
      "bad_request",
      `"${name}" is not a valid field name (letters, digits and _ only).`,
    );
  return name;
}

export interface SortKey {
  field: string;
  descending: boolean;
}

/** "update_date desc, title" -> [{ field: "update_date", descending: true }, { field: "title", ... }] */
export function parseSortBy(sortBy: string | undefined): SortKey[] {
  if (!sortBy?.trim()) return [{ field: "update_date", descending: true }];
  return sortBy.split(",").map((part) => {
    const [field, direction = "asc", ...rest] = part.trim().split(/\s+/);
    const dir = direction.toLowerCase();
    if (rest.length || (dir !== "asc" && dir !== "desc")) {
      throw new RuntimeError(
        "bad_request",
        `Cannot sort by "${part.trim()}": use "<field> asc" or "<field> desc".`,
      );
    }
    return { field: assertFieldName(field), descending: dir === "desc" };
  });
}

/** Columns kept outside the JSON `fields` document. */
export const RECORD_COLUMNS = new Set(["id", "number", "creation_date", "update_date"]);

/**
 * `sort` as the vendor's clients send it: `updated`, `created`, `priority` or a field's db name
 * (or caption), each optionally followed by `asc` / `desc`, several joined by commas -> the
 * store's "update_date desc, c_total asc".
 */
import type { LoadedApp } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import { fieldNamed } from "./app-fields.ts";

const KEYWORDS: Record<string, string> = { updated: "update_date", created: "creation_date" };

export function sortClause(app: LoadedApp, sort: string | null | undefined): string {
  if (!sort?.trim()) return "update_date desc";
  return sort
    .split(",")
    .map((part) => {
      const [key, direction = "asc", ...rest] = part.trim().split(/\s+/);
      if (rest.length || !/^(asc|desc)$/i.test(direction))
        throw new RuntimeError(
          "bad_request",
          `Cannot sort by "${part.trim().slice(0, 80)}": use updated, created, priority or a field's db name, then asc or desc (e.g. "updated desc").`,
        );
      const field = KEYWORDS[key.toLowerCase()] ?? fieldNamed(app, key, { columns: true }).name;
      return `${field} ${direction.toLowerCase()}`;
    })
    .join(", ");
}

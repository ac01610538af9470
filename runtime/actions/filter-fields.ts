/**
 * A filter naming a field that none of the queried apps has is a 400 naming the field: a typo
 * (`c_emial="x"`) would otherwise match nothing and answer an empty list as if it were true.
 * Used by the REST API's list routes and the CLI's `records --filter`.
 */
import { RuntimeError } from "../errors.ts";
import type { FilterNode } from "../store/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import { READ_ONLY_FIELDS } from "./fields.ts";

function fieldsOf(node: FilterNode): string[] {
  return node.kind === "and" || node.kind === "or" ? node.items.flatMap(fieldsOf) : [node.field];
}

export function assertKnownFilterFields(filter: FilterNode | undefined, apps: LoadedApp[]): void {
  if (!filter) return;
  for (const field of fieldsOf(filter)) {
    if (READ_ONLY_FIELDS.has(field) || apps.some((app) => app.schema.typeOf(field) !== undefined)) continue;
    const where = apps.length === 1 ? `app ${apps[0].alias}` : "any installed app";
    throw new RuntimeError(
      "bad_request",
      `The rlx filter names the field "${field}", which ${where} does not have; check the spelling (GET /api/schema lists the fields).`,
    );
  }
}

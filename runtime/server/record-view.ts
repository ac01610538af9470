/**
 * A record as the REST API returns it (seed 000): custom fields at the top level like the
 * globals' `entity`, plus `publishing_alias`, `project_alias` and the `transitions` allowed now.
 */
import type { LoadedApp } from "../actions/app-loader.ts";
import { toEntity } from "../actions/record-shape.ts";
import type { StoredRecord } from "../store/types.ts";

export type RecordView = Record<string, unknown>;

/** "ALL" or "title,c_email" -> the field names to keep (id and the technical keys always stay). */
export function parseListOfFields(listOfFields: unknown): Set<string> | null {
  if (
    listOfFields === undefined ||
    listOfFields === null ||
    listOfFields === "" ||
    String(listOfFields).toUpperCase() === "ALL"
  )
    return null;
  return new Set(
    String(listOfFields)
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
}

const ALWAYS = new Set(["id", "number", "publishing_alias", "project_alias", "transitions"]);

export function recordView(
  record: StoredRecord,
  app: LoadedApp,
  transitions: string[],
  fields: Set<string> | null,
): RecordView {
  const entity = toEntity(record.id, record.fields, record, app.schema);
  const view: RecordView = {
    ...entity,
    revision: record.revision,
    publishing_alias: record.app,
    project_alias: record.workspace,
    transitions,
  };
  if (!fields) return view;
  return Object.fromEntries(Object.entries(view).filter(([key]) => ALWAYS.has(key) || fields.has(key)));
}

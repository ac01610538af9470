/**
 * An app's fields as an assistant names them: by db name (`c_priority`) or caption ("Priority"),
 * in any case. The schema answer (get_app_schema) and every tool that takes field names use this
 * one list, so what the schema shows is what the tools accept.
 */
import type { AppField, AppFieldType } from "../../../globals/app-types.ts";
import { BASE_FIELDS, type LoadedApp, staticOptions } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";

export interface AppFieldInfo {
  name: string;
  caption: string;
  type: AppFieldType;
  /** Rich text (HTML): `description`, and text fields declared with `control: "richtext"`. */
  richText: boolean;
  definition: AppField | null;
}

const BASE_CAPTIONS: Record<string, string> = {
  title: "Title",
  state: "State",
  description: "Description",
  assignees_list: "Assignees",
  attachments: "Attachments",
  c_json_data: "JSON data",
};

/** Columns every record has besides its fields: readable, sortable, filterable, never written. */
export const RECORD_COLUMNS: Record<string, { caption: string; type: AppFieldType }> = {
  number: { caption: "Number", type: "number" },
  creation_date: { caption: "Created", type: "datetime" },
  update_date: { caption: "Updated", type: "datetime" },
};

export function appFields(app: LoadedApp): AppFieldInfo[] {
  const own = new Map(app.manifest.fields.map((field) => [field.name, field]));
  const base = Object.entries(BASE_FIELDS)
    .filter(([name]) => !own.has(name))
    .map(([name, type]) => ({
      name,
      caption: BASE_CAPTIONS[name] ?? name,
      type,
      richText: name === "description",
      definition: null,
    }));
  const declared = app.manifest.fields.map((field) => ({
    name: field.name,
    caption: field.caption ?? field.name,
    type: field.type,
    richText: field.name === "description" || /^(richtext|html)$/i.test(String(field.control ?? "")),
    definition: field,
  }));
  return [...base, ...declared];
}

/** `{ value, caption }` choices of a lookup field with static options (null: other lookups). */
export function lookupValues(field: AppFieldInfo): { value: string; caption: string }[] | null {
  const options = field.definition ? staticOptions(field.definition) : null;
  return options ? options.map(({ value, caption }) => ({ value, caption })) : null;
}

/**
 * The field a name means: a db name, or a caption (both ignoring case).
 * @throws RuntimeError validation_error naming the app's fields
 */
export function fieldNamed(app: LoadedApp, key: string, options: { columns?: boolean } = {}): AppFieldInfo {
  const fields = appFields(app);
  const columns = options.columns
    ? Object.entries(RECORD_COLUMNS).map(([name, c]) => ({ name, ...c, richText: false, definition: null }))
    : [];
  const all = [...fields, ...columns];
  const wanted = key.trim().toLowerCase();
  const found =
    all.find((field) => field.name === key) ??
    all.find((field) => field.name.toLowerCase() === wanted) ??
    all.find((field) => field.caption.toLowerCase() === wanted);
  if (found) return found;
  throw new RuntimeError(
    "validation_error",
    `App ${app.alias} has no field "${key.slice(0, 64)}"; its fields are ${all.map((f) => `${f.name} ("${f.caption}")`).join(", ")}.`,
  );
}

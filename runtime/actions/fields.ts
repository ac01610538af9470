/**
 * Field values checked against the app's field types on every write: a string into a number
 * field is a validation error naming the field, never a silent coercion.
 */
import type { AppField, AppFieldType } from "../../globals/app-types.ts";
import { RuntimeError } from "../errors.ts";
import { lookupValueId } from "./lookups.ts";

export type JsonRecord = Record<string, unknown>;

/** Base fields every app has, with their types. */
export const BASE_FIELDS: Record<string, AppFieldType> = {
  title: "text",
  state: "text",
  description: "text",
  assignees_list: "peoplelist",
  attachments: "fileslist",
  c_json_data: "object",
};

/** Fields the store owns: ignored when written. */
export const READ_ONLY_FIELDS = new Set([
  "id",
  "number",
  "creation_date",
  "update_date",
  "revision",
  "publishing_alias",
  "project_alias",
  "transitions",
  "attachments__list",
]);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The YYYY-MM-DD at the start of `value` is a real calendar day (Date.parse takes "2024-02-30"). */
function isCalendarDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const isDate = (value: unknown): value is string =>
  typeof value === "string" &&
  (ISO_DATE.test(value) || ISO_DATETIME.test(value)) &&
  !Number.isNaN(Date.parse(value)) &&
  isCalendarDay(value);

const isDateTime = (value: unknown): value is string =>
  typeof value === "string" &&
  ISO_DATETIME.test(value) &&
  !Number.isNaN(Date.parse(value)) &&
  isCalendarDay(value);

function typeError(app: string, field: string, expected: string, value: unknown): RuntimeError {
  const got =
    value === null
      ? "null"
      : Array.isArray(value)
        ? "an array"
        : typeof value === "string"
          ? `the text ${JSON.stringify(value.slice(0, 40))}`
          : `a ${typeof value}`;
  return new RuntimeError(
    "validation_error",
    `Field "${field}" of app ${app} expects ${expected}, got ${got}.`,
  );
}

function checkValue(app: string, field: string, type: AppFieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "text":
      if (typeof value !== "string") throw typeError(app, field, "text", value);
      return value;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw typeError(app, field, "a number", value);
      return value;
    case "bool":
      if (typeof value !== "boolean") throw typeError(app, field, "true or false", value);
      return value;
    case "date":
      if (!isDate(value)) throw typeError(app, field, "a date (YYYY-MM-DD)", value);
      return value;
    case "datetime":
      if (!isDateTime(value)) throw typeError(app, field, "an ISO 8601 date-time", value);
      return value;
    case "lookup":
    case "appsLookup":
      if (typeof value === "string") return value;
      if (typeof value === "object" && !Array.isArray(value) && typeof (value as JsonRecord).id === "string")
        return value;
      throw typeError(app, field, "a record id", value);
    case "linkto":
      if (typeof value !== "string") throw typeError(app, field, "a record id", value);
      return value;
    case "person":
      if (typeof value !== "string") throw typeError(app, field, "a user id", value);
      return value;
    case "lookupMulti":
    case "linkslist":
      if (!Array.isArray(value) || value.some((item) => lookupValueId(item) === null))
        throw typeError(app, field, "a list of ids", value);
      return value;
    case "peoplelist":
      if (!Array.isArray(value) || value.some((item) => typeof item !== "string"))
        throw typeError(app, field, "a list of user ids", value);
      return value;
    case "fileslist":
      if (
        !Array.isArray(value) ||
        value.some((item) => !item || typeof item !== "object" || typeof item.file_uid !== "string")
      ) {
        throw typeError(app, field, "a list of { file_uid, title }", value);
      }
      return value;
    case "object":
      return value;
  }
}

export class FieldSchema {
  readonly app: string;
  private readonly types = new Map<string, AppFieldType>(Object.entries(BASE_FIELDS));
  /** The app's own field definitions as fields/index.ts declares them (lookup options, ...). */
  readonly definitions: AppField[];

  constructor(app: string, fields: AppField[]) {
    this.app = app;
    this.definitions = fields;
    for (const field of fields) this.types.set(field.name, field.type);
  }

  /** Built once (the types are fixed by the constructor): read on every action's path. */
  private names: readonly string[] | null = null;
  private lists: readonly string[] | null = null;

  get fieldNames(): readonly string[] {
    this.names ??= Object.freeze([...this.types.keys()]);
    return this.names;
  }

  /** Files-list fields: each is also readable and writable as `<name>__list`. */
  get listFields(): readonly string[] {
    this.lists ??= Object.freeze(
      [...this.types].filter(([, type]) => type === "fileslist").map(([name]) => name),
    );
    return this.lists;
  }

  typeOf(field: string): AppFieldType | undefined {
    return this.types.get(field);
  }

  /** Checks written values; read-only keys are dropped, unknown fields are an error. */
  validate(values: JsonRecord): JsonRecord {
    const clean: JsonRecord = {};
    for (const [field, value] of Object.entries(values)) {
      if (READ_ONLY_FIELDS.has(field) || field.endsWith("__resolved")) continue;
      if (field.endsWith("__list") && this.types.get(field.slice(0, -6)) === "fileslist") continue;
      const type = this.types.get(field);
      if (!type)
        throw new RuntimeError(
          "validation_error",
          `Field "${field}" is not defined in app ${this.app}; add it to fields/index.ts or remove it.`,
        );
      clean[field] = checkValue(this.app, field, type, value);
    }
    return clean;
  }
}

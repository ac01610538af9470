/**
 * Field values as an assistant writes them -> the values records keep: lookup values by caption
 * ("High" -> "p3"), people by name, links by slug ("DEMO/HELPDESK12" -> the record's id), rich
 * text as HTML/markdown/plain text, date-times with their offset (kept in UTC), numbers and yes/no
 * from text. Used by create_record / update_record and by the filters of list_records.
 */
import { recordByIdOrRef } from "../../actions/index.ts";
import { isRuntimeError, RuntimeError } from "../../errors.ts";
import type { JsonRecord } from "../../store/index.ts";
import { checkRead, type ServerContext } from "../context.ts";
import { type AppFieldInfo, fieldNamed, lookupValues } from "./app-fields.ts";
import type { Caller } from "./caller.ts";
import { People } from "./people.ts";
import { toHtml } from "./rich-text.ts";
import type { LoadedApp } from "../../actions/index.ts";

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const invalid = (field: AppFieldInfo, message: string) =>
  new RuntimeError("validation_error", `Field "${field.caption}" (${field.name}): ${message}`);

/** A list value: an array, or a comma-separated text. */
const listOf = (value: unknown): unknown[] =>
  Array.isArray(value)
    ? value
    : typeof value === "string"
      ? value
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean)
      : [value];

export class ValueResolver {
  readonly people: People;
  private readonly ctx: ServerContext;
  private readonly caller: Caller;

  constructor(ctx: ServerContext, caller: Caller) {
    this.ctx = ctx;
    this.caller = caller;
    this.people = new People(ctx, caller.user.id);
  }

  /** A record the caller may read, named by slug or id -> its id. */
  async link(field: AppFieldInfo, value: unknown): Promise<string> {
    const text = String(value ?? "").trim();
    const record = await recordByIdOrRef(
      this.ctx.records,
      this.ctx.workspace,
      this.ctx.runtime.apps.keys(),
      text,
    );
    // A record of an app the caller may not read is answered like a missing one (no existence probe).
    const readable = record && this.ctx.runtime.apps.has(record.app) && (await this.canRead(record.app));
    if (!record || !readable)
      throw invalid(
        field,
        `no record "${text.slice(0, 80)}"; link fields take a slug such as ${this.ctx.workspace}/APP12.`,
      );
    return record.id;
  }

  private async canRead(app: string): Promise<boolean> {
    return checkRead(this.ctx, this.caller.user, app).then(
      () => true,
      (error) => {
        if (isRuntimeError(error) && error.code === "forbidden") return false;
        throw error;
      },
    );
  }

  /** A lookup value by caption (or by its stored value). */
  lookup(field: AppFieldInfo, value: unknown): string {
    const options = lookupValues(field);
    const text = String(value ?? "").trim();
    if (!options) return text;
    const found =
      options.find((o) => o.value === text) ??
      options.find((o) => o.caption.toLowerCase() === text.toLowerCase());
    if (!found)
      throw invalid(
        field,
        `"${text.slice(0, 80)}" is not one of ${options.map((o) => `"${o.caption}"`).join(", ")}.`,
      );
    return found.value;
  }

  /** One value of a field as a filter compares it (people, links and lookups resolved). */
  async scalar(field: AppFieldInfo, value: unknown): Promise<unknown> {
    if (value === null || typeof value !== "string") return value;
    switch (field.type) {
      case "person":
      case "peoplelist":
        return this.people.idOf(value, `Field "${field.caption}"`);
      case "linkto":
      case "linkslist":
      case "appsLookup":
        return this.link(field, value);
      case "lookup":
      case "lookupMulti":
        return this.lookup(field, value);
      case "datetime":
        return OFFSET.test(value) && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : value;
      default:
        return value;
    }
  }

  /** A value to write into the field. */
  async input(field: AppFieldInfo, value: unknown): Promise<unknown> {
    if (value === null || value === undefined || value === "") return null;
    switch (field.type) {
      case "text":
        return field.richText && typeof value === "string" ? toHtml(value) : value;
      case "number": {
        const number = typeof value === "string" ? Number(value.replace(/[\s,]/g, "")) : value;
        if (typeof number !== "number" || !Number.isFinite(number)) throw invalid(field, "expects a number.");
        return number;
      }
      case "bool":
        if (typeof value === "boolean") return value;
        if (/^(true|yes|1)$/i.test(String(value))) return true;
        if (/^(false|no|0)$/i.test(String(value))) return false;
        throw invalid(field, "expects true or false.");
      case "date":
        return typeof value === "string" && !DATE.test(value) && OFFSET.test(value)
          ? value.slice(0, 10)
          : value;
      case "datetime":
        if (typeof value !== "string" || !OFFSET.test(value) || Number.isNaN(Date.parse(value)))
          throw invalid(
            field,
            "expects a date-time with its time zone offset, e.g. 2026-03-20T09:30:00+02:00.",
          );
        return new Date(value).toISOString();
      case "person":
      case "linkto":
      case "appsLookup":
      case "lookup":
        return this.scalar(field, value);
      case "peoplelist":
      case "linkslist":
      case "lookupMulti":
        return Promise.all(listOf(value).map((item) => this.scalar(field, item)));
      default:
        return value;
    }
  }

  /** `fields` keyed by caption or db name -> stored values keyed by db name. */
  async fields(app: LoadedApp, input: Record<string, unknown>): Promise<JsonRecord> {
    const out: JsonRecord = {};
    for (const [key, value] of Object.entries(input)) {
      const field = fieldNamed(app, key);
      if (field.name in out)
        throw new RuntimeError(
          "validation_error",
          `Field "${field.caption}" (${field.name}) is given twice.`,
        );
      out[field.name] = await this.input(field, value);
    }
    return out;
  }
}

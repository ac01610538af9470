/**
 * Lookup fields: `ComindServer.resolveLookup` / `matchLookup` and the `field__resolved` values of
 * an entity. A lookup field lists its choices in fields/index.ts
 * (`options: [{ value: "p1", caption: "High", position: 1 }]`, or plain strings), or points at
 * another app (`lookupApp: "CONTACT"`: the value is a record id, its caption the record's title
 * and its position the record's number).
 */
import type { AppField } from "../../globals/app-types.ts";
import type { LookupOption } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { JsonRecord } from "./fields.ts";

export const LOOKUP_TYPES = new Set(["lookup", "lookupMulti", "appsLookup"]);

export function staticOptions(field: AppField): LookupOption[] | null {
  const options = field.options;
  if (!Array.isArray(options)) return null;
  return options.map((option, index) => {
    if (typeof option === "string") return { value: option, caption: option, position: index + 1 };
    const o = (option ?? {}) as JsonRecord;
    const value = String(o.value ?? o.id ?? o.caption ?? "");
    return {
      value,
      caption: String(o.caption ?? value),
      position: typeof o.position === "number" ? o.position : index + 1,
    };
  });
}

export function lookupField(fields: AppField[], name: string, app: string): AppField {
  const field = fields.find((f) => f.name === name);
  if (!field || !LOOKUP_TYPES.has(field.type))
    throw new RuntimeError(
      "bad_request",
      `Field "${String(name).slice(0, 64)}" of app ${app} is not a lookup field.`,
    );
  return field;
}

/** The id a lookup value stands for: a string, or an object with an `id`. */
export function lookupValueId(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as JsonRecord).id === "string")
    return (value as JsonRecord).id as string;
  return null;
}

/** `field__resolved` ({ caption, position }) for each lookup field with static options. */
export function resolvedValues(fields: AppField[], values: JsonRecord): JsonRecord {
  const resolved: JsonRecord = {};
  for (const field of fields) {
    const options = LOOKUP_TYPES.has(field.type) ? staticOptions(field) : null;
    if (!options) continue;
    const pick = (value: unknown) => {
      const option = options.find((o) => o.value === lookupValueId(value));
      return option ? { caption: option.caption, position: option.position } : null;
    };
    const value = values[field.name];
    resolved[`${field.name}__resolved`] = Array.isArray(value) ? value.map(pick) : pick(value);
  }
  return resolved;
}

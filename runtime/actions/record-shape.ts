/**
 * The record as action logic and API clients see it (`entity`): id, number, dates and every
 * field at the top level, `<field>__list` mirroring each files-list field (`attachments__list`
 * mirrors `attachments`) and `<field>__resolved` for option lookups.
 */
import type { StoredRecord } from "../store/index.ts";
import type { FieldSchema, JsonRecord } from "./fields.ts";
import { resolvedValues } from "./lookups.ts";

export function emptyFields(schema: FieldSchema): JsonRecord {
  return Object.fromEntries(schema.fieldNames.map((name) => [name, null]));
}

export function toEntity(
  id: string,
  fields: JsonRecord,
  stored: StoredRecord | null,
  schema: FieldSchema,
): JsonRecord {
  const values = { ...emptyFields(schema), ...fields };
  const lists = Object.fromEntries(schema.listFields.map((name) => [`${name}__list`, values[name] ?? null]));
  return {
    id,
    number: stored?.number ?? null,
    ...values,
    ...lists,
    ...resolvedValues(schema.definitions, values),
    creation_date: stored?.creationDate ?? null,
    update_date: stored?.updateDate ?? null,
  };
}

/** Field values of an entity after logic ran: a `<field>__list` the logic changed wins over `<field>`. */
export function fieldsFromEntity(entity: JsonRecord, before: JsonRecord, schema: FieldSchema): JsonRecord {
  const values = { ...entity };
  for (const name of schema.listFields) {
    const list = `${name}__list`;
    if (JSON.stringify(entity[list] ?? null) !== JSON.stringify(before[list] ?? null))
      values[name] = entity[list];
  }
  return values;
}

export function diffFields(
  before: JsonRecord,
  after: JsonRecord,
): { field: string; old: unknown; new: unknown }[] {
  const changes = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[field] ?? null;
    const next = after[field] ?? null;
    if (JSON.stringify(old) !== JSON.stringify(next)) changes.push({ field, old, new: next });
  }
  return changes;
}

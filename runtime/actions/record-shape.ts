/**
 * The record as action logic and API clients see it (`entity`): id, number, dates and every
 * field at the top level, `attachments__list` mirroring `attachments`.
 */
import type { StoredRecord } from "../store/index.ts";
import type { FieldSchema, JsonRecord } from "./fields.ts";

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
  return {
    id,
    number: stored?.number ?? null,
    ...values,
    attachments__list: values.attachments ?? null,
    creation_date: stored?.creationDate ?? null,
    update_date: stored?.updateDate ?? null,
  };
}

/** Field values of an entity after logic ran: `attachments__list` wins if the logic changed it. */
export function fieldsFromEntity(entity: JsonRecord, before: JsonRecord): JsonRecord {
  const values = { ...entity };
  if (JSON.stringify(entity.attachments__list ?? null) !== JSON.stringify(before.attachments__list ?? null)) {
    values.attachments = entity.attachments__list;
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

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

/** Sets a key as an own property, even `__proto__` (a plain assignment would set the prototype). */
function put(target: JsonRecord, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Built key by key rather than by spreads (on every action's path, three times): the same keys in
 * the same order, and the same value where one key comes twice (the later wins).
 */
export function toEntity(
  id: string,
  fields: JsonRecord,
  stored: StoredRecord | null,
  schema: FieldSchema,
): JsonRecord {
  const entity: JsonRecord = { id, number: stored?.number ?? null };
  for (const name of schema.fieldNames) put(entity, name, null);
  for (const key of Object.keys(fields)) put(entity, key, fields[key]);
  for (const name of schema.listFields) put(entity, `${name}__list`, entity[name] ?? null);
  const resolved = resolvedValues(schema.definitions, entity);
  for (const key of Object.keys(resolved)) put(entity, key, resolved[key]);
  entity.creation_date = stored?.creationDate ?? null;
  entity.update_date = stored?.updateDate ?? null;
  return entity;
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

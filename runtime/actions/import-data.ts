/**
 * `ComindServer.importData`: upsert rows into an app, matching existing records (stored or
 * written earlier in the same action) on the key fields. Store lookups go in batches.
 */
import { randomUUID } from "node:crypto";
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";
import type { JsonRecord } from "./fields.ts";
import { emptyFields } from "./record-shape.ts";
import type { PendingRecord, UnitOfWork } from "./unit-of-work.ts";

const LOOKUP_BATCH = 1_000;

function keyOf(fields: JsonRecord, keyFields: string[]): string {
  return JSON.stringify(keyFields.map((field) => fields[field] ?? null));
}

function checkRows(data: unknown, keyFields: string[], schemaFields: readonly string[]): JsonRecord[] {
  if (!Array.isArray(data))
    throw new RuntimeError("bad_request", "importData: `data` must be an array of rows.");
  if (keyFields.length === 0)
    throw new RuntimeError(
      "bad_request",
      'importData: name at least one key field, e.g. keyFields: ["c_external_id"].',
    );
  for (const field of keyFields) {
    if (!schemaFields.includes(field))
      throw new RuntimeError(
        "validation_error",
        `importData: key field "${field}" is not a field of the app.`,
      );
  }
  data.forEach((row, index) => {
    if (!row || typeof row !== "object" || Array.isArray(row))
      throw new RuntimeError("bad_request", `importData: row ${index} is not an object.`);
    for (const field of keyFields) {
      const value = (row as JsonRecord)[field];
      if (value === undefined || value === null || value === "") {
        throw new RuntimeError(
          "validation_error",
          `importData: row ${index} has no value for key field "${field}".`,
        );
      }
    }
  });
  return data as JsonRecord[];
}

async function existingByKey(
  uow: UnitOfWork,
  app: string,
  keyFields: string[],
  rows: JsonRecord[],
): Promise<Map<string, PendingRecord>> {
  const found = new Map<string, PendingRecord>();
  const keys = rows.map((row) => keyFields.map((field) => row[field]));
  for (let start = 0; start < keys.length; start += LOOKUP_BATCH) {
    const stored = await uow.store.findByKeys(
      uow.workspace,
      app,
      keyFields,
      keys.slice(start, start + LOOKUP_BATCH),
    );
    for (const record of stored) {
      if (uow.pending.has(record.id)) continue;
      found.set(keyOf(record.fields, keyFields), {
        id: record.id,
        app,
        stored: record,
        fields: record.fields,
        deleted: false,
        transition: "edit",
      });
    }
  }
  for (const record of uow.pending.values()) {
    if (record.app === app && !record.deleted) found.set(keyOf(record.fields, keyFields), record);
  }
  return found;
}

export async function importRows(
  uow: UnitOfWork,
  args: { data: JsonRecord[]; keyFields: string[]; appAlias?: string },
) {
  const app = args.appAlias ? appAliasKey(args.appAlias) : uow.defaultApp;
  const schema = uow.schema(app);
  const rows = checkRows(args.data, args.keyFields, schema.fieldNames);
  const values = rows.map((row, index) => {
    try {
      return schema.validate(row);
    } catch (error) {
      if (error instanceof RuntimeError)
        throw new RuntimeError(error.code, `importData: row ${index}: ${error.message}`);
      throw error;
    }
  });
  const existing = await existingByKey(uow, app, args.keyFields, values);
  let created = 0;
  let updated = 0;
  for (const row of values) {
    const key = keyOf(row, args.keyFields);
    const match = existing.get(key);
    const next: PendingRecord = match
      ? { ...match, fields: { ...match.fields, ...row }, transition: match.stored ? "edit" : "add" }
      : {
          id: randomUUID(),
          app,
          stored: null,
          fields: { ...emptyFields(schema), ...row },
          deleted: false,
          transition: "add",
        };
    if (match) updated += 1;
    else created += 1;
    uow.put(next);
    existing.set(key, next);
  }
  return { created, updated };
}

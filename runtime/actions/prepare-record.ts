/**
 * Step 1-2 of the lifecycle: resolve the action, load the record (or start a new one), apply
 * the submitted values and keep the previous state for `entityOld`.
 */
import { randomUUID } from "node:crypto";
import { RuntimeError } from "../errors.ts";
import type { Store, StoredRecord } from "../store/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { JsonRecord } from "./fields.ts";
import { emptyFields, toEntity } from "./record-shape.ts";
import type { ActionRequest } from "./types.ts";
import type { PendingRecord } from "./unit-of-work.ts";

export interface PreparedRecord {
  id: string;
  stored: StoredRecord | null;
  isNew: boolean;
  /** Field values the logic starts from (stored + submitted). */
  fields: JsonRecord;
  entity: JsonRecord;
  entityOld: JsonRecord | null;
}

export async function prepareRecord(
  store: Store,
  workspace: string,
  app: LoadedApp,
  request: ActionRequest,
): Promise<PreparedRecord> {
  if (!app.actionUids.has(request.action)) {
    const known = [...app.actionUids].join(", ");
    throw new RuntimeError(
      "unknown_action",
      `Action "${request.action}" is not defined in app ${app.alias} (known: ${known}).`,
    );
  }
  const submitted = app.schema.validate(request.values ?? {});
  let stored: StoredRecord | null = null;
  if (request.recordId) {
    stored = await store.getRecord(workspace, request.recordId);
    if (stored && stored.app !== app.alias) {
      throw new RuntimeError(
        "not_found",
        `Record ${request.recordId} belongs to app ${stored.app}, not ${app.alias}.`,
      );
    }
    if (!stored && !request.createIfMissing && request.action !== "add") {
      throw new RuntimeError("not_found", `Record ${request.recordId} does not exist in app ${app.alias}.`);
    }
  }
  if (stored && request.expectedRevision !== undefined && stored.revision !== request.expectedRevision) {
    throw new RuntimeError(
      "conflict",
      `Record ${stored.id} is at revision ${stored.revision}, not ${request.expectedRevision} as sent: someone else changed it. Reload it and apply your change again.`,
    );
  }
  if (stored && request.action === "add") {
    throw new RuntimeError(
      "bad_request",
      `Record ${stored.id} already exists; use "edit" or an action uid instead of "add".`,
    );
  }
  const id = stored?.id ?? request.recordId ?? randomUUID();
  const fields = { ...(stored?.fields ?? emptyFields(app.schema)), ...submitted };
  return {
    id,
    stored,
    isNew: !stored,
    fields,
    entity: toEntity(id, fields, stored, app.schema),
    entityOld: stored ? toEntity(id, stored.fields, stored, app.schema) : null,
  };
}

/** A record already in the action's unit of work, about to run a nested transition. */
export function prepareFromPending(
  app: LoadedApp,
  pending: PendingRecord,
  values: JsonRecord,
): PreparedRecord {
  const fields = { ...pending.fields, ...app.schema.validate(values) };
  return {
    id: pending.id,
    stored: pending.stored,
    isNew: !pending.stored,
    fields,
    entity: toEntity(pending.id, fields, pending.stored, app.schema),
    entityOld: toEntity(pending.id, pending.fields, pending.stored, app.schema),
  };
}

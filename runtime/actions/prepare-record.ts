/**
 * Step 1-2 of the lifecycle: resolve the action, load the record (or start a new one), apply
 * the submitted values and keep the previous state for `entityOld`.
 */
import { randomUUID } from "node:crypto";
import { RuntimeError } from "../errors.ts";
import type { RecordPort, StoredRecord } from "../store/index.ts";
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
  store: RecordPort,
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
    const { loaded } = request;
    stored =
      loaded && loaded.id === request.recordId && loaded.workspace === workspace
        ? loaded
        : await store.getRecord(workspace, request.recordId);
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
  if (stored && request.action === "copy") {
    // copy: a new record with the source's values (and the submitted ones); logic runs on the copy.
    const id = randomUUID();
    const fields = { ...stored.fields, ...submitted };
    return {
      id,
      stored: null,
      isNew: true,
      fields,
      entity: toEntity(id, fields, null, app.schema),
      entityOld: null,
    };
  }
  if (request.action === "archive") submitted.state = "archived";
  if (request.action === "move" && typeof submitted.state !== "string")
    throw new RuntimeError(
      "bad_request",
      'The "move" action needs the target "state" among the submitted values.',
    );
  if (!stored && ["copy", "move", "archive"].includes(request.action))
    throw new RuntimeError("bad_request", `"${request.action}" needs the id of an existing record.`);
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

const MAX_MASS_RECORDS = 1000;

/** The records of a mass action (`recordIds`), each prepared like a single record. */
export async function prepareMassRecords(
  store: RecordPort,
  workspace: string,
  app: LoadedApp,
  request: ActionRequest,
): Promise<PreparedRecord[]> {
  const ids = request.recordIds ?? [];
  if (ids.length === 0 || ids.length > MAX_MASS_RECORDS)
    throw new RuntimeError(
      "bad_request",
      `A mass action needs between 1 and ${MAX_MASS_RECORDS} record ids.`,
    );
  if (new Set(ids).size !== ids.length)
    throw new RuntimeError("bad_request", "A mass action lists a record id twice.");
  if (["add", "copy"].includes(request.action))
    throw new RuntimeError("bad_request", `"${request.action}" cannot run as a mass action.`);
  if (app.singleOnly.has(request.action))
    throw new RuntimeError(
      "bad_request",
      `Action "${request.action}" of app ${app.alias} has showAsMassAction: false; run it on one record at a time.`,
    );
  const prepared = [];
  for (const recordId of ids)
    prepared.push(await prepareRecord(store, workspace, app, { ...request, recordId }));
  return prepared;
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

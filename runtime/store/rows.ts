/** Database rows -> store objects (SQLite gives JSON as text, Postgres as parsed JSONB). */
import { toErrorCode } from "../errors.ts";
import type {
  ActionRunLog,
  AuthToken,
  DeletedRecord,
  HistoryEntry,
  IdempotentResponse,
  RunCommit,
  StoredFile,
  StoredRecord,
} from "./types.ts";

type Row = Record<string, any>;

const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

export function rowToRecord(row: Row): StoredRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    app: row.app,
    number: Number(row.number),
    revision: Number(row.revision),
    fields: json(row.fields),
    creationDate: row.creation_date,
    updateDate: row.update_date,
  };
}

export function rowToHistory(row: Row): HistoryEntry {
  return {
    recordId: row.record_id,
    app: row.app,
    revision: Number(row.revision),
    actor: row.actor,
    action: row.action,
    transition: row.transition,
    timestamp: row.ts,
    changes: json(row.changes),
    runId: row.run_id,
    comment: row.comment ?? null,
  };
}

export function rowToFile(row: Row): StoredFile {
  return {
    id: row.id,
    fileName: row.file_name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
    uploadedBy: row.uploaded_by ?? null,
    number: row.number == null ? null : Number(row.number),
  };
}

export function rowToRun(row: Row): ActionRunLog {
  return {
    id: row.id,
    workspace: row.workspace,
    app: row.app,
    action: row.action,
    recordId: row.record_id,
    source: row.source,
    actor: row.actor,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    ok: Boolean(row.ok),
    errorCode: row.error_code == null ? null : toErrorCode(row.error_code),
    errorMessage: row.error_message,
    errorStack: row.error_stack ?? null,
    logs: json(row.logs),
    httpCalls: json(row.http_calls),
    cpuMs: row.cpu_ms == null ? null : Number(row.cpu_ms),
    heapMb: row.heap_mb == null ? null : Number(row.heap_mb),
    newRecordValues: row.new_record_values == null ? null : json(row.new_record_values),
  };
}

export function rowToCommit(row: Row): RunCommit {
  return {
    runId: row.run_id,
    idempotencyKey: row.idempotency_key ?? null,
    actor: row.actor,
    recordId: row.record_id ?? null,
    committedAt: row.committed_at,
  };
}

export function rowToIdempotent(row: Row): IdempotentResponse {
  return {
    scopeKey: row.scope_key,
    requestHash: row.request_hash,
    status: Number(row.status),
    body: row.body,
    createdAt: row.created_at,
  };
}

export function rowToToken(row: Row): AuthToken {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    userName: row.user_name,
    label: row.label ?? null,
    isAdmin: Boolean(row.is_admin),
    createdAt: row.created_at,
  };
}

export function rowToDeleted(row: Row): DeletedRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    app: row.app,
    number: Number(row.number),
    deletedAt: row.deleted_at,
    actor: row.actor,
  };
}

/**
 * The shapes the store reads and writes (records, change sets, history, files, runs, tokens). The
 * interfaces over them, one port per concern and `Store` as their sum, are in ports.ts.
 */
import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import type { FilterNode } from "./filter.ts";
import type { ErrorCode } from "../errors.ts";

export type JsonRecord = Record<string, unknown>;
export type { FilterNode } from "./filter.ts";
export type { AppPermission, Directory, Permission, StoredGroup, StoredUser } from "./directory.ts";

export interface StoredRecord {
  id: string;
  workspace: string;
  app: string;
  number: number;
  revision: number;
  /** All field values, base (title, state, ...) and custom (c_*), without id/number. */
  fields: JsonRecord;
  creationDate: string;
  updateDate: string;
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/** Every write may skip its history entry (actions with skipAuditTrail / skipCreatingVersion). */
export type RecordWrite = (
  | {
      kind: "insert";
      id: string;
      app: string;
      fields: JsonRecord;
      transition: string;
      changes: FieldChange[];
    }
  | {
      kind: "update";
      id: string;
      app: string;
      expectedRevision: number;
      fields: JsonRecord;
      transition: string;
      changes: FieldChange[];
    }
  | { kind: "delete"; id: string; app: string; expectedRevision: number; transition: string }
) & {
  skipHistory?: boolean;
  /** The comment the action was sent with (MCP update_record), kept with the history entry. */
  comment?: string;
};

export interface FileWrite {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Temporary file whose bytes the store takes over on commit. */
  sourcePath: string;
  /** Who made the file (a user id); default: the change set's actor. */
  uploadedBy?: string;
}

/** Everything one action wrote, applied in one transaction or not at all. */
export interface ChangeSet {
  workspace: string;
  actor: string;
  action: string;
  runId: string;
  writes: RecordWrite[];
  files: FileWrite[];
  /** The run-log entry of this (successful) action: written in the same transaction. */
  run?: ActionRunLog;
  /** The record the action ran on (kept with the commit marker). */
  recordId?: string;
  /** A client's idempotency key for this change: a second commit with the same key fails. */
  idempotencyKey?: string;
  /** More rows written in the same transaction (the job queue's outbox and commit marks). */
  extras?: CommitExtra[];
}

/** Written in the same transaction as a change set: proof, afterwards, that it committed. */
export interface RunCommit {
  runId: string;
  idempotencyKey: string | null;
  actor: string;
  recordId: string | null;
  committedAt: string;
}

/** The stored answer to a request sent with an Idempotency-Key. */
export interface IdempotentResponse {
  scopeKey: string;
  requestHash: string;
  status: number;
  body: string;
  createdAt: string;
}

/**
 * A step that joins a change set's transaction (the job queue's outbox and commit mark). Written
 * once, for the engine of the queue that makes it: the SQLite store runs `sqlite` steps
 * synchronously inside its BEGIN IMMEDIATE (an await there would let other statements on the one
 * connection into the transaction), the Postgres store awaits `postgres` steps on the
 * transaction's client. A step of the other engine fails the commit. Throwing rolls the whole
 * change set back.
 */
export type CommitExtra =
  | { engine: "sqlite"; apply(db: DatabaseSync): void }
  | { engine: "postgres"; apply(client: pg.PoolClient): Promise<void> };

export interface RecordQuery {
  workspace: string;
  /** One app; omitted = every app of the workspace. */
  app?: string;
  /** Equality on field values (base or custom). */
  where?: JsonRecord;
  /** Richer filter (the REST API's rlx); combined with `where` by AND. */
  filter?: FilterNode;
  limit?: number;
  offset?: number;
  /** e.g. "update_date desc", "c_total asc, title" */
  sortBy?: string;
}

export interface HistoryEntry {
  recordId: string;
  app: string;
  revision: number;
  actor: string;
  action: string;
  transition: string;
  timestamp: string;
  changes: FieldChange[];
  runId: string;
  /** The comment the action was sent with, or null. */
  comment: string | null;
}

export interface HistoryQuery {
  workspace: string;
  app?: string;
  /** ISO times: entries at or after `since`, before `until`. */
  since?: string;
  until?: string;
  limit?: number;
  /**
   * Only entries matching this filter on the history's own fields (history-filter.ts):
   * `version_account`, `version_timestamp`, `transition`, `action`, `comment`, `app`, `record_id`.
   */
  filter?: FilterNode;
  /** The newest entries first (default: oldest first). */
  newestFirst?: boolean;
}

export interface StoredFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  /** The user who uploaded the file (or whose action made it); null for files older than the column. */
  uploadedBy: string | null;
  /** The attachment number (`WS/ATTACHMENT31`): files in the order they were stored, store-wide. */
  number: number | null;
}

/** A record that points at a file (one of its files-list fields holds the file's `file_uid`). */
export interface FileHolder {
  workspace: string;
  app: string;
  recordId: string;
}

/** One outbound request of an action, as the run log keeps it. */
export interface HttpCallLog {
  method: string;
  host: string;
  /** Without the query string, which may carry secrets. */
  path: string;
  status: number | null;
  ms: number;
  /** The registry code the request failed with. */
  error?: ErrorCode;
}

export interface ActionRunLog {
  id: string;
  workspace: string;
  app: string;
  action: string;
  recordId: string | null;
  source: string;
  actor: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** The failure's stack (source-mapped TypeScript frames, redacted), shown by the run console. */
  errorStack?: string | null;
  logs: { level: string; message: string }[];
  httpCalls: HttpCallLog[];
  /** CPU time the isolate spent on the action, and its heap when the action ended. */
  cpuMs?: number | null;
  heapMb?: number | null;
  /**
   * A failed run that was to create a record (sent no record id): the values it was sent, so the
   * console can re-run it as a new record. Null for every other run.
   */
  newRecordValues?: Record<string, unknown> | null;
  /**
   * The run's recording for `replay` (JSON, runtime/actions/run-recording.ts), kept in its own
   * table (run_recordings) and read by `getRunRecording`; null when none was kept.
   */
  recording?: string | null;
}

export interface RunQuery {
  workspace?: string;
  app?: string;
  action?: string;
  /** The user who fired the runs. */
  actor?: string;
  /** ISO time: runs started at or after it. */
  since?: string;
  /** ISO time: runs started strictly after it (the console's live list asks for what is new). */
  after?: string;
  failedOnly?: boolean;
  okOnly?: boolean;
  limit?: number;
}

export interface AuthToken {
  id: string;
  tokenHash: string;
  userId: string;
  userName: string;
  /** What the token is for ("laptop", "ci"), shown by `token list`; null when none was given. */
  label: string | null;
  isAdmin: boolean;
  createdAt: string;
}

export interface SearchQuery {
  workspace: string;
  app?: string;
  /** Words to find (all of them, prefix match on the last one). */
  text: string;
  limit?: number;
  offset?: number;
}

/** What is left of a deleted record: enough for clients that sync "changed since". */
export interface DeletedRecord {
  id: string;
  workspace: string;
  app: string;
  number: number;
  deletedAt: string;
  actor: string;
}

export interface DeletedQuery {
  workspace: string;
  /** One app; omitted = every app of the workspace. */
  app?: string;
  /** Only records deleted strictly after this ISO time. */
  after: string;
  limit?: number;
}

/** Where a batched trim stopped: the (time, id) of the last row it looked at. */
export interface TrimCursor {
  at: string;
  id: string;
}

/** One batch of the retention job: rows older than `before`, after `after`, at most `limit` looked at. */
export interface TrimBatch {
  before: string;
  after: TrimCursor | null;
  limit: number;
}

/** What a batch did: rows looked at, rows deleted, and where the next batch starts (null: done). */
export interface TrimResult {
  examined: number;
  deleted: number;
  next: TrimCursor | null;
}

/**
 * The one store interface behind records, files, history and the run log. The embedded SQLite
 * store (default) and the Postgres store implement it; the action lifecycle only sees this.
 */
import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import type { FilterNode } from "./filter.ts";
import type { Directory } from "./directory.ts";
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
) & { skipHistory?: boolean };

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
 * Writes that join a change set's transaction, one implementation per engine. Throwing rolls the
 * whole change set back. SQLite's runs synchronously inside BEGIN IMMEDIATE.
 */
export interface CommitExtra {
  sqlite(db: DatabaseSync): void;
  postgres(client: pg.PoolClient): Promise<void>;
}

/** The store's own database connection, for modules that keep tables beside it (runtime/queue). */
export type StoreHandle = { engine: "sqlite"; db: DatabaseSync } | { engine: "postgres"; pool: pg.Pool };

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
}

export interface HistoryQuery {
  workspace: string;
  app?: string;
  /** ISO times: entries at or after `since`, before `until`. */
  since?: string;
  until?: string;
  limit?: number;
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

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Users, groups, workspace admins, per-app permissions. */
  readonly directory: Directory;
  /** The underlying connection (the job queue writes its tables through it). */
  readonly handle?: StoreHandle;
  getRecord(workspace: string, id: string): Promise<StoredRecord | null>;
  findRecords(query: RecordQuery): Promise<StoredRecord[]>;
  /** How many records match (ignores limit/offset). */
  countRecords(query: RecordQuery): Promise<number>;
  /**
   * Candidates for importData matching: records of an app whose FIRST key field equals the first
   * value of one of the key tuples. The caller checks the remaining key fields.
   */
  findByKeys(workspace: string, app: string, keyFields: string[], keys: unknown[][]): Promise<StoredRecord[]>;
  /** Applies a change set atomically; throws RuntimeError("conflict") when a revision moved. */
  commit(changes: ChangeSet): Promise<StoredRecord[]>;
  /** Next value of a named counter (gaps allowed, never repeats). */
  nextSequence(workspace: string, name: string): Promise<number>;
  history(
    workspace: string,
    recordId: string,
    options?: { limit?: number; since?: string },
  ): Promise<HistoryEntry[]>;
  /** History entries across records (oldest first), e.g. of one app in a time window. */
  historyQuery(query: HistoryQuery): Promise<HistoryEntry[]>;
  getFile(id: string): Promise<StoredFile | null>;
  /** The records whose fields point at this file (any files-list field), in no set order. */
  fileHolders(id: string): Promise<FileHolder[]>;
  /** Path of a readable copy of a stored file's bytes. */
  filePath(id: string): Promise<string>;
  /** Full-text search over the text values of records, best match first. */
  searchRecords(query: SearchQuery): Promise<StoredRecord[]>;
  /** Tombstones of records deleted after a time, oldest first. */
  listDeleted(query: DeletedQuery): Promise<DeletedRecord[]>;
  countDeleted(query: DeletedQuery): Promise<number>;
  /** Stable ids of apps (created on first ask, the same ever after): alias -> id. */
  ensureAppIds(workspace: string, aliases: string[]): Promise<Record<string, string>>;
  saveToken(token: AuthToken): Promise<void>;
  findToken(tokenHash: string): Promise<AuthToken | null>;
  /** Every token, oldest first (hashes included; callers show only ids and users). */
  listTokens(): Promise<AuthToken[]>;
  /** Deletes a token by its id; false when there is none. */
  deleteToken(id: string): Promise<boolean>;
  recordRun(run: ActionRunLog): Promise<void>;
  listRuns(query: RunQuery): Promise<ActionRunLog[]>;
  getRun(id: string): Promise<ActionRunLog | null>;
  /** The commit marker of a run (by run id) or of an idempotency key, or null: not committed. */
  findCommit(by: { runId: string } | { idempotencyKey: string }): Promise<RunCommit | null>;
  getIdempotentResponse(scopeKey: string): Promise<IdempotentResponse | null>;
  /** Keeps the first answer for a key (a concurrent second save is ignored); drops entries over 24 h. */
  saveIdempotentResponse(response: IdempotentResponse): Promise<void>;
  /** Answers when the store can serve queries; throws store_unavailable when it cannot. */
  ping(): Promise<void>;
  /** The history entries one run committed (its field diffs), in order. */
  historyOfRun(workspace: string, runId: string): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}

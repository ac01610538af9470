/**
 * The store's ports: one small interface per concern, so a consumer names only what it uses (the
 * access check needs the directory, the file rule files and the directory, the run console the
 * run log). `Store` is their sum: the embedded SQLite store (default) and the Postgres store
 * implement all of it, and test/store/contract.ts runs against both.
 */
import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import type { Directory } from "./directory.ts";
import type { PoolUse } from "../metrics/index.ts";
import type {
  ActionRunLog,
  AuthToken,
  ChangeSet,
  DeletedQuery,
  DeletedRecord,
  FileHolder,
  HistoryEntry,
  HistoryQuery,
  TrimBatch,
  TrimResult,
  IdempotentResponse,
  RecordQuery,
  RunCommit,
  RunQuery,
  SearchQuery,
  StoredFile,
  StoredRecord,
} from "./types.ts";

/** Records: reading them (by id, query, keys, words), their tombstones, and the atomic write of a change set. */
export interface RecordPort {
  getRecord(workspace: string, id: string): Promise<StoredRecord | null>;
  findRecords(query: RecordQuery): Promise<StoredRecord[]>;
  /** How many records match (ignores limit/offset). */
  countRecords(query: RecordQuery): Promise<number>;
  /**
   * Candidates for importData matching: records of an app whose FIRST key field equals the first
   * value of one of the key tuples. The caller checks the remaining key fields.
   */
  findByKeys(workspace: string, app: string, keyFields: string[], keys: unknown[][]): Promise<StoredRecord[]>;
  /** Full-text search over the text values of records, best match first. */
  searchRecords(query: SearchQuery): Promise<StoredRecord[]>;
  /**
   * Applies a change set atomically (records, files, history, run log, commit mark, extras);
   * throws RuntimeError("conflict") when a revision moved.
   */
  commit(changes: ChangeSet): Promise<StoredRecord[]>;
  /** Tombstones of records deleted after a time, oldest first. */
  listDeleted(query: DeletedQuery): Promise<DeletedRecord[]>;
  countDeleted(query: DeletedQuery): Promise<number>;
}

/** History: the field diffs every commit left, per record, per run or across an app. */
export interface HistoryPort {
  history(
    workspace: string,
    recordId: string,
    options?: { limit?: number; since?: string },
  ): Promise<HistoryEntry[]>;
  /** History entries across records (oldest first), e.g. of one app in a time window. */
  historyQuery(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** The history entries one run committed (its field diffs), in order. */
  historyOfRun(workspace: string, runId: string): Promise<HistoryEntry[]>;
}

/** Runs: the run log (what each action did) and the commit marks that prove a run committed. */
export interface RunPort {
  recordRun(run: ActionRunLog): Promise<void>;
  listRuns(query: RunQuery): Promise<ActionRunLog[]>;
  getRun(id: string): Promise<ActionRunLog | null>;
  /** The recording kept with a run (JSON, for `replay`), or null. */
  getRunRecording(id: string): Promise<string | null>;
  /** The commit marker of a run (by run id) or of an idempotency key, or null: not committed. */
  findCommit(by: { runId: string } | { idempotencyKey: string }): Promise<RunCommit | null>;
  /**
   * One batch of the retention job: deletes run-log rows started before `batch.before` that
   * nothing needs (trim-sql.ts says what is kept); the result says where the next batch starts.
   */
  trimRunLog(batch: TrimBatch): Promise<TrimResult>;
}

/** The stored answers to requests sent with an Idempotency-Key (kept 24 hours). */
export interface IdempotencyPort {
  getIdempotentResponse(scopeKey: string): Promise<IdempotentResponse | null>;
  /** Keeps the first answer for a key (a concurrent second save is ignored); drops entries over 24 h. */
  saveIdempotentResponse(response: IdempotentResponse): Promise<void>;
}

/** Stored files: their metadata, the records that hold them, and their bytes. Written by `commit`. */
export interface FilePort {
  getFile(id: string): Promise<StoredFile | null>;
  /** The file stored as attachment number `number` (`WS/ATTACHMENT31`), or null. */
  findFileByNumber(number: number): Promise<StoredFile | null>;
  /** The records whose fields point at this file (any files-list field), in no set order. */
  fileHolders(id: string): Promise<FileHolder[]>;
  /** Path of a readable copy of a stored file's bytes. */
  filePath(id: string): Promise<string>;
}

/** API tokens (stored as hashes) and the users they belong to. */
export interface TokenPort {
  saveToken(token: AuthToken): Promise<void>;
  findToken(tokenHash: string): Promise<AuthToken | null>;
  /** Every token, oldest first (hashes included; callers show only ids and users). */
  listTokens(): Promise<AuthToken[]>;
  /** Deletes a token by its id; false when there is none. */
  deleteToken(id: string): Promise<boolean>;
}

/** Keys that never repeat: named counters and the stable ids of apps. */
export interface KeyPort {
  /** Next value of a named counter (gaps allowed, never repeats). */
  nextSequence(workspace: string, name: string): Promise<number>;
  /** Stable ids of apps (created on first ask, the same ever after): alias -> id. */
  ensureAppIds(workspace: string, aliases: string[]): Promise<Record<string, string>>;
}

/** Who is who: users, groups, workspace admins, per-app permissions, the runtime's signing keys. */
export interface DirectoryPort {
  readonly directory: Directory;
}

/**
 * The database the job queue keeps its tables in (`queue_runs`, `queue_jobs`, graphile's schema),
 * beside the store's own so that enqueueing joins a change set's transaction (`CommitExtra`).
 * On SQLite the store's one connection (the queue's writes must not interleave with the store's
 * transactions); on Postgres the store's query pool and the URL graphile-worker opens its own
 * pool with.
 */
export type QueueStorage =
  | { engine: "sqlite"; db: DatabaseSync }
  | { engine: "postgres"; pool: pg.Pool; connectionString: string };

/**
 * Queue storage: the one door through which anything outside the store reaches its database
 * (runtime/queue, and the CLI's `runs` reading queued runs). Nothing else gets a raw connection.
 */
export interface QueueStoragePort {
  readonly queueStorage: QueueStorage;
}

/** Whether the database answers, and letting go of it. */
export interface LifecyclePort {
  readonly kind: "sqlite" | "postgres";
  /** Answers when the store can serve queries; throws store_unavailable when it cannot. */
  ping(): Promise<void>;
  /** The connection pools' use (Postgres: transactions and queries; SQLite: none), for /metrics. */
  poolStats(): Promise<PoolUse[]>;
  close(): Promise<void>;
}

/** The whole store: every port, as both engines implement it. */
export interface Store
  extends RecordPort,
    HistoryPort,
    RunPort,
    IdempotencyPort,
    FilePort,
    TokenPort,
    KeyPort,
    DirectoryPort,
    QueueStoragePort,
    LifecyclePort {}

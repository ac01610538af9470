/**
 * The one store interface behind records, files, history and the run log. The embedded SQLite
 * store (default) and the Postgres store implement it; the action lifecycle only sees this.
 */
export type JsonRecord = Record<string, unknown>;

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

export type RecordWrite =
  | { kind: "insert"; id: string; app: string; fields: JsonRecord; transition: string; changes: FieldChange[] }
  | { kind: "update"; id: string; app: string; expectedRevision: number; fields: JsonRecord; transition: string; changes: FieldChange[] }
  | { kind: "delete"; id: string; app: string; expectedRevision: number; transition: string };

export interface FileWrite {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Temporary file whose bytes the store takes over on commit. */
  sourcePath: string;
}

/** Everything one action wrote, applied in one transaction or not at all. */
export interface ChangeSet {
  workspace: string;
  actor: string;
  action: string;
  runId: string;
  writes: RecordWrite[];
  files: FileWrite[];
}

export interface RecordQuery {
  workspace: string;
  app: string;
  /** Equality on field values (base or custom). */
  where?: JsonRecord;
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

export interface StoredFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
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
  errorCode: string | null;
  errorMessage: string | null;
  logs: { level: string; message: string }[];
  httpCalls: { method: string; host: string; path: string; status: number | null; ms: number; error?: string }[];
}

export interface RunQuery {
  workspace?: string;
  app?: string;
  failedOnly?: boolean;
  limit?: number;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  getRecord(workspace: string, id: string): Promise<StoredRecord | null>;
  findRecords(query: RecordQuery): Promise<StoredRecord[]>;
  /** Records of an app whose key fields equal one of the given key tuples (importData matching). */
  findByKeys(workspace: string, app: string, keyFields: string[], keys: unknown[][]): Promise<StoredRecord[]>;
  /** Applies a change set atomically; throws RuntimeError("conflict") when a revision moved. */
  commit(changes: ChangeSet): Promise<StoredRecord[]>;
  /** Next value of a named counter (gaps allowed, never repeats). */
  nextSequence(workspace: string, name: string): Promise<number>;
  history(workspace: string, recordId: string, options?: { limit?: number; since?: string }): Promise<HistoryEntry[]>;
  getFile(id: string): Promise<StoredFile | null>;
  /** Path of a readable copy of a stored file's bytes. */
  filePath(id: string): Promise<string>;
  recordRun(run: ActionRunLog): Promise<void>;
  listRuns(query: RunQuery): Promise<ActionRunLog[]>;
  close(): Promise<void>;
}

/**
 * The embedded store: one SQLite file (node:sqlite, WAL) plus a files/ folder in the data dir.
 *
 * @example
 *   const store = await openSqliteStore("./data");
 *   const record = await store.getRecord("DEMO", id);
 */
import { DatabaseSync } from "node:sqlite";
import { inSqliteTransaction } from "./transaction.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type {
  ActionRunLog,
  AuthToken,
  ChangeSet,
  HistoryEntry,
  RecordQuery,
  RunQuery,
  SearchQuery,
  StoredFile,
  StoredRecord,
  TrimCursor,
} from "../types.ts";
import type { Store } from "../ports.ts";
import { fts5Query } from "../search-terms.ts";
import { loadMigrations } from "../migrations.ts";
import { historyQuerySql } from "../history-filter.ts";
import {
  RUN_LOG_CANDIDATES,
  replayedSince,
  recordingsDeleteSql,
  runLogDeleteSql,
  trimCandidatesParams,
  trimResult,
} from "../trim-sql.ts";
import { BUSY_TIMEOUT_MS, DEFAULT_BUSY_WAIT_MS, whenUnlocked } from "./busy.ts";
import { insertRun } from "./commit.ts";
import { groupCommitter } from "./group-commit.ts";
import { FALLBACK_PAGES, startCheckpointer } from "./checkpointer.ts";
import { createDirectory } from "../directory.ts";
import { sqliteSql } from "./queries.ts";
import { runListSql } from "../run-sql.ts";
import { statementCache } from "./statements.ts";
import {
  rowToCommit,
  rowToDeleted,
  rowToFile,
  rowToHistory,
  rowToIdempotent,
  rowToRecord,
  rowToRun,
  rowToToken,
} from "../rows.ts";
import { IDEMPOTENCY_TTL_MS } from "../idempotency-ttl.ts";
import { ensureAppIds } from "./app-ids.ts";

function migrate(db: DatabaseSync): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const migration of loadMigrations("sqlite")) {
    if (applied.has(migration.version)) continue;
    inSqliteTransaction(db, () => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    });
  }
}

/** The database file of the embedded store in a data folder. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, "comind.sqlite");
}

export interface SqliteStoreOptions {
  /** How long a call waits for another process's write lock before failing with store_busy. */
  busyWaitMs?: number;
  /** Copy the WAL into the database file on a thread of its own (long-running servers). */
  backgroundCheckpoints?: boolean;
}

export async function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const busyWaitMs = options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  mkdirSync(join(dataDir, "files"), { recursive: true });
  const db = new DatabaseSync(sqliteFile(dataDir), { timeout: BUSY_TIMEOUT_MS });
  await whenUnlocked(() => db.exec("PRAGMA journal_mode = WAL"), busyWaitMs);
  // temp_store: the savepoint of each change set in a group commit (group-commit.ts) keeps its
  // sub-journal in a temporary file otherwise, created and deleted per group (measured: 40% of a
  // grouped commit's CPU). Query results are materialised in memory anyway.
  db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
  await whenUnlocked(() => migrate(db), busyWaitMs);
  const filesDir = join(dataDir, "files");
  const prepare = statementCache(db);
  const commits = groupCommitter(db, prepare, filesDir);
  const checkpointer = options.backgroundCheckpoints ? startCheckpointer(sqliteFile(dataDir)) : null;
  if (checkpointer) db.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_PAGES}`);

  const store: Store = {
    kind: "sqlite",
    queueStorage: { engine: "sqlite", db },
    directory: createDirectory(
      async (sql, params) => prepare(sql).all(...(params as never[])) as Record<string, any>[],
    ),
    async getRecord(workspace, id) {
      const row = prepare("SELECT * FROM records WHERE workspace = ? AND id = ?").get(workspace, id);
      return row ? rowToRecord(row) : null;
    },
    async findRecords(query: RecordQuery) {
      const { sql, params } = sqliteSql.select(query);
      return prepare(sql)
        .all(...(params as never[]))
        .map(rowToRecord);
    },
    async countRecords(query: RecordQuery) {
      const { sql, params } = sqliteSql.count(query);
      return Number((prepare(sql).get(...(params as never[])) as { n: number }).n);
    },
    async findByKeys(workspace, app, keyFields, keys) {
      if (keys.length === 0) return [];
      const { sql, params } = sqliteSql.byKeys(workspace, app, keyFields, keys);
      return prepare(sql)
        .all(...(params as never[]))
        .map(rowToRecord);
    },
    async commit(changes: ChangeSet): Promise<StoredRecord[]> {
      return commits.commit(changes);
    },
    async nextSequence(workspace, name) {
      const row = prepare(
        "INSERT INTO sequences (workspace, name, value) VALUES (?, ?, 1) ON CONFLICT (workspace, name) DO UPDATE SET value = value + 1 RETURNING value",
      ).get(workspace, name) as { value: number };
      return Number(row.value);
    },
    async history(workspace, recordId, options = {}): Promise<HistoryEntry[]> {
      const rows = prepare(
        "SELECT * FROM record_history WHERE workspace = ? AND record_id = ? AND ts >= ? ORDER BY seq LIMIT ?",
      ).all(workspace, recordId, options.since ?? "", options.limit ?? 1000);
      return rows.map(rowToHistory);
    },
    async historyQuery(query) {
      const { sql, params } = historyQuerySql(query, {
        placeholder: () => "?",
        contains: (haystack, needle) => `instr(lower(${haystack}), lower(${needle})) > 0`,
      });
      return prepare(sql)
        .all(...(params as never[]))
        .map(rowToHistory);
    },
    async findFileByNumber(number) {
      const row = prepare("SELECT * FROM files WHERE number = ?").get(number);
      return row ? rowToFile(row) : null;
    },
    async getFile(id): Promise<StoredFile | null> {
      const row = prepare("SELECT * FROM files WHERE id = ?").get(id);
      return row ? rowToFile(row) : null;
    },
    async fileHolders(id) {
      const rows = prepare("SELECT workspace, app, record_id FROM file_refs WHERE file_id = ?").all(id);
      return rows.map((row) => ({
        workspace: String(row.workspace),
        app: String(row.app),
        recordId: String(row.record_id),
      }));
    },
    async filePath(id) {
      return join(filesDir, id.replace(/[^a-zA-Z0-9-]/g, ""));
    },
    async searchRecords(query: SearchQuery) {
      const match = fts5Query(query.text);
      if (!match) return [];
      const rows = prepare(
        `SELECT r.* FROM records_fts f JOIN records r ON r.rowid = f.rowid
         WHERE records_fts MATCH ? AND r.workspace = ? AND (? IS NULL OR r.app = ?) ORDER BY f.rank LIMIT ? OFFSET ?`,
      ).all(
        match,
        query.workspace,
        query.app ?? null,
        query.app ?? null,
        query.limit ?? 20,
        query.offset ?? 0,
      );
      return rows.map(rowToRecord);
    },
    async listDeleted(query) {
      return prepare(
        `SELECT * FROM record_tombstones WHERE workspace = ? AND (? IS NULL OR app = ?) AND deleted_at > ?
         ORDER BY deleted_at, id LIMIT ?`,
      )
        .all(query.workspace, query.app ?? null, query.app ?? null, query.after, query.limit ?? -1)
        .map(rowToDeleted);
    },
    async countDeleted(query) {
      const row = prepare(
        "SELECT count(*) AS n FROM record_tombstones WHERE workspace = ? AND (? IS NULL OR app = ?) AND deleted_at > ?",
      ).get(query.workspace, query.app ?? null, query.app ?? null, query.after) as { n: number };
      return Number(row.n);
    },
    async ensureAppIds(workspace, aliases) {
      return ensureAppIds(db, prepare, workspace, aliases);
    },
    async saveToken(token: AuthToken) {
      prepare(
        "INSERT INTO auth_tokens (id, token_hash, user_id, user_name, label, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(
        token.id,
        token.tokenHash,
        token.userId,
        token.userName,
        token.label,
        token.isAdmin ? 1 : 0,
        token.createdAt,
      );
    },
    async findToken(tokenHash: string) {
      const row = prepare("SELECT * FROM auth_tokens WHERE token_hash = ?").get(tokenHash);
      return row ? rowToToken(row) : null;
    },
    async listTokens() {
      return prepare("SELECT * FROM auth_tokens ORDER BY created_at, id").all().map(rowToToken);
    },
    async deleteToken(id: string) {
      return Number(prepare("DELETE FROM auth_tokens WHERE id = ?").run(id).changes) > 0;
    },
    async recordRun(run: ActionRunLog) {
      insertRun(prepare, run);
    },
    async listRuns(query: RunQuery) {
      const { sql, params } = runListSql(query, () => "?", "rowid");
      return prepare(sql)
        .all(...params)
        .map(rowToRun);
    },
    async getRun(id) {
      const row = prepare("SELECT * FROM action_runs WHERE id = ?").get(id);
      return row ? rowToRun(row) : null;
    },
    async getRunRecording(id) {
      const row = prepare("SELECT recording FROM run_recordings WHERE run_id = ?").get(id);
      return row ? String(row.recording) : null;
    },
    async findCommit(by) {
      const row =
        "runId" in by
          ? prepare("SELECT * FROM run_commits WHERE run_id = ?").get(by.runId)
          : prepare("SELECT * FROM run_commits WHERE idempotency_key = ?").get(by.idempotencyKey);
      return row ? rowToCommit(row) : null;
    },
    async trimRunLog(batch) {
      const candidates = prepare(RUN_LOG_CANDIDATES).all(
        ...trimCandidatesParams(batch),
      ) as unknown as TrimCursor[];
      if (candidates.length === 0) return trimResult(batch, candidates, 0);
      const ids = candidates.map(() => "?").join(", ");
      const deleted = prepare(runLogDeleteSql(`id IN (${ids})`, "?")).run(
        ...candidates.map((row) => row.id),
        replayedSince(),
      ).changes;
      prepare(recordingsDeleteSql(`run_id IN (${ids})`)).run(...candidates.map((row) => row.id));
      return trimResult(batch, candidates, Number(deleted));
    },
    async getIdempotentResponse(scopeKey) {
      const row = prepare("SELECT * FROM idempotent_responses WHERE scope_key = ?").get(scopeKey);
      return row ? rowToIdempotent(row) : null;
    },
    async saveIdempotentResponse(response) {
      const cutoff = new Date(Date.parse(response.createdAt) - IDEMPOTENCY_TTL_MS).toISOString();
      prepare("DELETE FROM idempotent_responses WHERE created_at < ?").run(cutoff);
      prepare(
        "INSERT INTO idempotent_responses (scope_key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope_key) DO NOTHING",
      ).run(response.scopeKey, response.requestHash, response.status, response.body, response.createdAt);
    },
    async ping() {
      prepare("SELECT 1").get();
    },
    // One connection, no pool: a writer waits on the database lock (busy.ts), not for a connection.
    async poolStats() {
      return [];
    },
    async historyOfRun(workspace, runId) {
      return prepare("SELECT * FROM record_history WHERE workspace = ? AND run_id = ? ORDER BY seq")
        .all(workspace, runId)
        .map(rowToHistory);
    },
    async close() {
      commits.flush();
      await checkpointer?.stop();
      if (db.isOpen) db.close();
    },
  };
  return unlockedCalls(store, busyWaitMs);
}

/** Every store call goes through whenUnlocked (busy.ts): the event loop never waits on another process's lock. */
function unlockedCalls(store: Store, busyWaitMs: number): Store {
  const wrapped = { ...store };
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== "function" || name === "close") continue;
    (wrapped as Record<string, unknown>)[name] = (...args: unknown[]) =>
      whenUnlocked(() => method.apply(store, args), busyWaitMs);
  }
  return wrapped;
}

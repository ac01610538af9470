/**
 * The embedded store: one SQLite file (node:sqlite, WAL) plus a files/ folder in the data dir.
 *
 * @example
 *   const store = await openSqliteStore("./data");
 *   const record = await store.getRecord("DEMO", id);
 */
import { DatabaseSync } from "node:sqlite";
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
  Store,
  StoredFile,
  StoredRecord,
} from "../types.ts";
import { fts5Query } from "../search-terms.ts";
import { loadMigrations } from "../migrations.ts";
import { BUSY_TIMEOUT_MS, DEFAULT_BUSY_WAIT_MS, whenUnlocked } from "./busy.ts";
import { commitChangeSet } from "./commit.ts";
import { sqliteSql } from "./queries.ts";
import { statementCache } from "./statements.ts";
import { rowToFile, rowToHistory, rowToRecord, rowToRun, rowToToken } from "../rows.ts";

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
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

export interface SqliteStoreOptions {
  /** How long a call waits for another process's write lock before failing with store_busy. */
  busyWaitMs?: number;
}

export async function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const busyWaitMs = options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  mkdirSync(join(dataDir, "files"), { recursive: true });
  const db = new DatabaseSync(join(dataDir, "comind.sqlite"), { timeout: BUSY_TIMEOUT_MS });
  await whenUnlocked(() => db.exec("PRAGMA journal_mode = WAL"), busyWaitMs);
  db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  await whenUnlocked(() => migrate(db), busyWaitMs);
  const filesDir = join(dataDir, "files");
  const prepare = statementCache(db);

  const store: Store = {
    kind: "sqlite",
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
      return commitChangeSet(db, prepare, filesDir, changes);
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
    async getFile(id): Promise<StoredFile | null> {
      const row = prepare("SELECT * FROM files WHERE id = ?").get(id);
      return row ? rowToFile(row) : null;
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
    async saveToken(token: AuthToken) {
      prepare(
        "INSERT INTO auth_tokens (id, token_hash, user_id, user_name, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(token.id, token.tokenHash, token.userId, token.userName, token.isAdmin ? 1 : 0, token.createdAt);
    },
    async findToken(tokenHash: string) {
      const row = prepare("SELECT * FROM auth_tokens WHERE token_hash = ?").get(tokenHash);
      return row ? rowToToken(row) : null;
    },
    async recordRun(run: ActionRunLog) {
      prepare(
        `INSERT INTO action_runs (id, workspace, app, action, record_id, source, actor, started_at, finished_at, ok, error_code, error_message, logs, http_calls, cpu_ms, heap_mb)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        run.id,
        run.workspace,
        run.app,
        run.action,
        run.recordId,
        run.source,
        run.actor,
        run.startedAt,
        run.finishedAt,
        run.ok ? 1 : 0,
        run.errorCode,
        run.errorMessage,
        JSON.stringify(run.logs),
        JSON.stringify(run.httpCalls),
        run.cpuMs ?? null,
        run.heapMb ?? null,
      );
    },
    async listRuns(query: RunQuery) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.workspace) {
        where.push("workspace = ?");
        params.push(query.workspace);
      }
      if (query.app) {
        where.push("app = ?");
        params.push(query.app);
      }
      if (query.failedOnly) where.push("ok = 0");
      const sql = `SELECT * FROM action_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, rowid DESC LIMIT ?`;
      return prepare(sql)
        .all(...params, query.limit ?? 100)
        .map(rowToRun);
    },
    async close() {
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

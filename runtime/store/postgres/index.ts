/**
 * The shared store: Postgres through `pg`, for servers and several runtime nodes on one database.
 * Same contract as the embedded SQLite store (test/store/contract.ts runs against both).
 * `schema` confines every pooled connection to that schema (created on open when missing).
 * A database that goes away fails calls with `store_unavailable` (and commits whose outcome is
 * unknown with `commit_unknown`); the pools reconnect by themselves when it is back.
 *
 * @example const store = await openPostgresStore("postgres://postgres@127.0.0.1:5432/app", { schema: "tenant_a" });
 */
import { IDEMPOTENCY_TTL_MS } from "../idempotency-ttl.ts";
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
import { runListSql } from "../run-sql.ts";
import { historyQuerySql } from "../history-filter.ts";
import {
  RUN_LOG_CANDIDATES,
  replayedSince,
  recordingsDeleteSql,
  runLogDeleteSql,
  trimCandidatesParams,
  trimResult,
} from "../trim-sql.ts";
import { ensureAppIds } from "./app-ids.ts";
import { searchWords } from "../search-terms.ts";
import type { Store } from "../ports.ts";
import type { TrimCursor } from "../types.ts";
import { commitChangeSet, insertRun, nextValue } from "./commit.ts";
import { createDirectory } from "../directory.ts";
import { cachedFilePath } from "./file-cache.ts";
import { migrate } from "./migrate.ts";
import { guardMethods, translateStoreError } from "./availability.ts";
import { createPools, type PoolSettings } from "./pool.ts";
import { postgresSql } from "./queries.ts";

/** Prefix query: every word, the last as a prefix ("acme invoi" -> 'acme' & 'invoi':*). */
function tsQuery(text: string): string | null {
  const words = searchWords(text).map((word) => word.toLowerCase().replace(/[^\p{L}\p{N}_]/gu, ""));
  if (words.length === 0) return null;
  return words.map((word, i) => `'${word}'${i === words.length - 1 ? ":*" : ""}`).join(" & ");
}

export async function openPostgresStore(
  databaseUrl: string,
  options: { schema?: string; pool?: PoolSettings } = {},
): Promise<Store> {
  const pools = createPools(databaseUrl, options.schema, options.pool);
  const pool = pools.queries;
  try {
    await migrate(pools.transactions, options.schema);
  } catch (error) {
    await pools.end();
    throw translateStoreError(error);
  }
  const all = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows;

  let n = 0;
  const numbered = (sql: string) => {
    n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const store: Store = {
    kind: "postgres",
    queueStorage: { engine: "postgres", pool, connectionString: databaseUrl },
    // guardMethods below wraps the store's own methods; the directory's queries translate here.
    directory: createDirectory(async (sql, params) => {
      try {
        return await all(numbered(sql), params);
      } catch (error) {
        throw translateStoreError(error);
      }
    }),
    async getRecord(workspace, id) {
      const rows = await all("SELECT * FROM records WHERE workspace = $1 AND id = $2", [workspace, id]);
      return rows[0] ? rowToRecord(rows[0]) : null;
    },
    async findRecords(query) {
      const { sql, params } = postgresSql.select(query);
      return (await all(sql, params)).map(rowToRecord);
    },
    async countRecords(query) {
      const { sql, params } = postgresSql.count(query);
      return Number((await all(sql, params))[0].n);
    },
    async findByKeys(workspace, app, keyFields, keys) {
      if (keys.length === 0) return [];
      const { sql, params } = postgresSql.byKeys(workspace, app, keyFields, keys);
      return (await all(sql, params)).map(rowToRecord);
    },
    commit: (changes) => commitChangeSet(pools.transactions, changes),
    nextSequence: (workspace, name) => nextValue(pools.transactions, workspace, name),
    async history(workspace, recordId, options = {}) {
      const rows = await all(
        "SELECT * FROM record_history WHERE workspace = $1 AND record_id = $2 AND ts >= $3 ORDER BY seq LIMIT $4",
        [workspace, recordId, options.since ?? "", options.limit ?? 1000],
      );
      return rows.map(rowToHistory);
    },
    async historyQuery(query) {
      const { sql, params } = historyQuerySql(query, {
        placeholder: (index) => `$${index}`,
        contains: (haystack, needle) => `strpos(lower(${haystack}), lower(${needle})) > 0`,
      });
      return (await all(sql, params)).map(rowToHistory);
    },
    async findFileByNumber(number) {
      const rows = await all("SELECT * FROM files WHERE number = $1", [number]);
      return rows[0] ? rowToFile(rows[0]) : null;
    },
    async getFile(id) {
      const rows = await all("SELECT * FROM files WHERE id = $1", [id]);
      return rows[0] ? rowToFile(rows[0]) : null;
    },
    async fileHolders(id) {
      const rows = await all("SELECT workspace, app, record_id FROM file_refs WHERE file_id = $1", [id]);
      return rows.map((row) => ({ workspace: row.workspace, app: row.app, recordId: row.record_id }));
    },
    filePath: (id) => cachedFilePath(pool, id),
    async searchRecords(query) {
      const tsq = tsQuery(query.text);
      if (!tsq) return [];
      const rows = await all(
        `SELECT * FROM records WHERE search @@ to_tsquery('simple', $1) AND workspace = $2 AND ($3::text IS NULL OR app = $3)
         ORDER BY ts_rank(search, to_tsquery('simple', $1)) DESC, seq LIMIT $4 OFFSET $5`,
        [tsq, query.workspace, query.app ?? null, query.limit ?? 20, query.offset ?? 0],
      );
      return rows.map(rowToRecord);
    },
    async listDeleted(query) {
      const rows = await all(
        `SELECT * FROM record_tombstones WHERE workspace = $1 AND ($2::text IS NULL OR app = $2) AND deleted_at > $3
         ORDER BY deleted_at, id LIMIT $4`,
        [query.workspace, query.app ?? null, query.after, query.limit ?? null],
      );
      return rows.map(rowToDeleted);
    },
    async countDeleted(query) {
      const rows = await all(
        "SELECT count(*) AS n FROM record_tombstones WHERE workspace = $1 AND ($2::text IS NULL OR app = $2) AND deleted_at > $3",
        [query.workspace, query.app ?? null, query.after],
      );
      return Number(rows[0].n);
    },
    ensureAppIds: (workspace, aliases) => ensureAppIds(pool, workspace, aliases),
    async saveToken(token) {
      await pool.query(
        "INSERT INTO auth_tokens (id, token_hash, user_id, user_name, label, is_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
          token.id,
          token.tokenHash,
          token.userId,
          token.userName,
          token.label,
          token.isAdmin,
          token.createdAt,
        ],
      );
    },
    async findToken(tokenHash) {
      const rows = await all("SELECT * FROM auth_tokens WHERE token_hash = $1", [tokenHash]);
      return rows[0] ? rowToToken(rows[0]) : null;
    },
    async listTokens() {
      return (await all("SELECT * FROM auth_tokens ORDER BY created_at, id", [])).map(rowToToken);
    },
    async deleteToken(id) {
      const result = await pool.query("DELETE FROM auth_tokens WHERE id = $1", [id]);
      return (result.rowCount ?? 0) > 0;
    },
    async recordRun(run) {
      await insertRun(pool, run);
    },
    async listRuns(query) {
      const { sql, params } = runListSql(query, (index) => `$${index}`, "seq");
      return (await all(sql, params)).map(rowToRun);
    },
    async getRun(id) {
      const rows = await all("SELECT * FROM action_runs WHERE id = $1", [id]);
      return rows[0] ? rowToRun(rows[0]) : null;
    },
    async getRunRecording(id) {
      const rows = await all("SELECT recording FROM run_recordings WHERE run_id = $1", [id]);
      return rows[0] ? String(rows[0].recording) : null;
    },
    async trimRunLog(batch) {
      const candidates = (await all(
        numbered(RUN_LOG_CANDIDATES),
        trimCandidatesParams(batch),
      )) as TrimCursor[];
      if (candidates.length === 0) return trimResult(batch, candidates, 0);
      const { rowCount } = await pool.query(runLogDeleteSql("id = ANY($1::text[])", "$2"), [
        candidates.map((row) => row.id),
        replayedSince(),
      ]);
      await pool.query(recordingsDeleteSql("run_id = ANY($1::text[])"), [candidates.map((row) => row.id)]);
      return trimResult(batch, candidates, rowCount ?? 0);
    },
    async historyOfRun(workspace, runId) {
      const rows = await all(
        "SELECT * FROM record_history WHERE workspace = $1 AND run_id = $2 ORDER BY seq",
        [workspace, runId],
      );
      return rows.map(rowToHistory);
    },
    async findCommit(by) {
      const rows =
        "runId" in by
          ? await all("SELECT * FROM run_commits WHERE run_id = $1", [by.runId])
          : await all("SELECT * FROM run_commits WHERE idempotency_key = $1", [by.idempotencyKey]);
      return rows[0] ? rowToCommit(rows[0]) : null;
    },
    async getIdempotentResponse(scopeKey) {
      const rows = await all("SELECT * FROM idempotent_responses WHERE scope_key = $1", [scopeKey]);
      return rows[0] ? rowToIdempotent(rows[0]) : null;
    },
    async saveIdempotentResponse(response) {
      const cutoff = new Date(Date.parse(response.createdAt) - IDEMPOTENCY_TTL_MS).toISOString();
      await pool.query("DELETE FROM idempotent_responses WHERE created_at < $1", [cutoff]);
      await pool.query(
        "INSERT INTO idempotent_responses (scope_key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope_key) DO NOTHING",
        [response.scopeKey, response.requestHash, response.status, response.body, response.createdAt],
      );
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async poolStats() {
      return (["transactions", "queries"] as const).map((name) => {
        const each = pools[name];
        const max = (each as unknown as { options: { max: number } }).options.max;
        return { pool: name, total: each.totalCount, idle: each.idleCount, waiting: each.waitingCount, max };
      });
    },
    async close() {
      await pools.end();
    },
  };
  return guardMethods(store);
}

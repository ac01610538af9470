/**
 * The connection pools of the Postgres store, optionally confined to one schema. Two pools: one
 * for transactions (commits, migrations) and one for single statements (reads, auth, run log),
 * so commits stuck behind a row lock can never take the connections that reads and auth need.
 * Every connection has an acquire timeout, a lock timeout and a statement timeout.
 */
import pg from "pg";
import { RuntimeError } from "../../errors.ts";

/** Schema names reach SQL text (search_path, CREATE SCHEMA), so only plain lower-case names pass. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA.test(schema))
    throw new RuntimeError("bad_request", `Schema name "${schema}" must be lower-case letters, digits or _.`);
  return schema;
}

export interface PoolSettings {
  /** Connections per pool (default 10). The server sizes it from its worker count. */
  size?: number;
  /** How long a request may wait for a free connection (default 5 s); then 503 store_unavailable. */
  acquireTimeoutMs?: number;
  /** How long a statement may wait for a row lock (default 5 s); then 409 conflict. */
  lockTimeoutMs?: number;
  /** How long one statement may run (default 15 s). */
  statementTimeoutMs?: number;
}

export const POOL_DEFAULTS = {
  size: 10,
  acquireTimeoutMs: 5_000,
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
} as const;

export interface Pools {
  /** BEGIN ... COMMIT work. */
  transactions: pg.Pool;
  /** Single statements: reads, auth, the run log. */
  queries: pg.Pool;
  end(): Promise<void>;
}

/**
 * The schema goes into the startup packet (`options=-c search_path=...`), so every pooled
 * connection uses it from its first query on; a `SET` on the pool's connect event would race
 * with the first query and lose its error. (A URL that sets `options` itself overrides this.)
 */
export function createPool(databaseUrl: string, schema?: string, settings: PoolSettings = {}): pg.Pool {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const { size, acquireTimeoutMs, lockTimeoutMs, statementTimeoutMs } = { ...POOL_DEFAULTS, ...defined };
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: size,
    connectionTimeoutMillis: acquireTimeoutMs,
    lock_timeout: lockTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // A transaction left open by a stalled client must not hold its locks forever.
    idle_in_transaction_session_timeout: Math.max(statementTimeoutMs, 10_000) * 2,
    keepAlive: true,
    ...(schema ? { options: `-c search_path=${assertSchemaName(schema)}` } : {}),
  });
  pool.on("error", () => undefined); // an idle client dropped by the server: the pool replaces it
  return pool;
}

export function createPools(databaseUrl: string, schema?: string, settings: PoolSettings = {}): Pools {
  const transactions = createPool(databaseUrl, schema, settings);
  const queries = createPool(databaseUrl, schema, settings);
  return {
    transactions,
    queries,
    end: async () => {
      await Promise.all([transactions.end(), queries.end()]);
    },
  };
}

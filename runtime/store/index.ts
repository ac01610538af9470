/**
 * Opens the configured store: Postgres when a database URL is given, else embedded SQLite in the
 * data folder.
 *
 * @example const store = await openStore({ dataDir: "./data" });
 */
import type { PoolSettings } from "./postgres/pool.ts";
import type { Store } from "./ports.ts";
import { openSqliteStore } from "./sqlite/index.ts";

import { isRuntimeError } from "../errors.ts";
import { watchStorage } from "./storage-full.ts";
import { databaseTarget, storeUnavailable } from "./unavailable.ts";

export { sqliteFile } from "./sqlite/index.ts";
export { isPermanentStoreError } from "./unavailable.ts";
export { trimCandidatesParams, trimCandidatesSql, trimResult } from "./trim-sql.ts";
export { STORAGE_FULL_WINDOW_MS } from "./storage-full.ts";
/** One Postgres transaction with the store's rules (dropped connections listened to, commit_unknown). */
export { inTransaction as inPostgresTransaction } from "./postgres/transaction.ts";
/** One SQLite write transaction with the store's rules (BEGIN IMMEDIATE, synchronous work). */
export { inSqliteTransaction } from "./sqlite/transaction.ts";

export type * from "./types.ts";
export type * from "./ports.ts";
export type { PoolSettings } from "./postgres/pool.ts";

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a fresh one per file). */
  schema?: string;
  /** Postgres pool size and timeouts (see runtime/store/postgres/pool.ts). */
  pool?: PoolSettings;
  /** SQLite: checkpoint the WAL on a background thread (what `serve` does). */
  backgroundCheckpoints?: boolean;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const target = databaseTarget(options.databaseUrl);
    const { openPostgresStore } = await import("./postgres/index.ts");
    try {
      return watchStorage(
        await openPostgresStore(options.databaseUrl, { schema: options.schema, pool: options.pool }),
      );
    } catch (error) {
      if (isRuntimeError(error) && error.code !== "store_unavailable") throw error;
      throw storeUnavailable(target, isRuntimeError(error) ? error.cause : error);
    }
  }
  return watchStorage(
    await openSqliteStore(options.dataDir, { backgroundCheckpoints: options.backgroundCheckpoints }),
  );
}
export { assertFieldName, parseSortBy } from "./field-names.ts";
export type { Comparison, FilterNode, FilterValue } from "./filter.ts";
export type { SortKey } from "./field-names.ts";
export { PERMISSIONS, type Permission } from "./directory.ts";

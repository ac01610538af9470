/**
 * Opens the configured store: Postgres when a database URL is given, else embedded SQLite in the
 * data folder.
 *
 * @example const store = await openStore({ dataDir: "./data" });
 */
import type { PoolSettings } from "./postgres/pool.ts";
import type { Store } from "./types.ts";
import { openSqliteStore } from "./sqlite/index.ts";

export type * from "./types.ts";
export type { PoolSettings } from "./postgres/pool.ts";

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a fresh one per file). */
  schema?: string;
  /** Postgres pool size and timeouts (see runtime/store/postgres/pool.ts). */
  pool?: PoolSettings;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const { openPostgresStore } = await import("./postgres/index.ts");
    return openPostgresStore(options.databaseUrl, { schema: options.schema, pool: options.pool });
  }
  return openSqliteStore(options.dataDir);
}
export { assertFieldName, parseSortBy } from "./field-names.ts";
export type { Comparison, FilterNode, FilterValue } from "./filter.ts";
export type { SortKey } from "./field-names.ts";

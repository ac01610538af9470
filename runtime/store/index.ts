/**
 * Opens the configured store: Postgres when a database URL is given, else embedded SQLite in the
 * data folder.
 *
 * @example const store = await openStore({ dataDir: "./data" });
 */
import type { Store } from "./types.ts";
import { openSqliteStore } from "./sqlite/index.ts";

export type * from "./types.ts";

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a fresh one per file). */
  schema?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const { openPostgresStore } = await import("./postgres/index.ts");
    return openPostgresStore(options.databaseUrl, { schema: options.schema });
  }
  return openSqliteStore(options.dataDir);
}
export { assertFieldName, parseSortBy } from "./field-names.ts";
export type { Comparison, FilterNode, FilterValue } from "./filter.ts";

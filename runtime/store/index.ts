/**
 * Opens the configured store: Postgres when a database URL is given, else embedded SQLite in the
 * data folder.
 *
 * @example const store = await openStore({ dataDir: "./data" });
 */
import type { Store } from "./types.ts";
import { openSqliteStore } from "./sqlite/index.ts";

export { sqliteFile } from "./sqlite/index.ts";
import { isRuntimeError } from "../errors.ts";
import { databaseTarget, storeUnavailable } from "./unavailable.ts";

export type * from "./types.ts";

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a fresh one per file). */
  schema?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const target = databaseTarget(options.databaseUrl);
    const { openPostgresStore } = await import("./postgres/index.ts");
    try {
      return await openPostgresStore(options.databaseUrl, { schema: options.schema });
    } catch (error) {
      if (isRuntimeError(error)) throw error;
      throw storeUnavailable(target, error);
    }
  }
  return openSqliteStore(options.dataDir);
}

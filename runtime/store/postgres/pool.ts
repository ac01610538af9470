/** The connection pool of the Postgres store, optionally confined to one schema. */
import pg from "pg";
import { RuntimeError } from "../../errors.ts";

/** Schema names reach SQL text (search_path, CREATE SCHEMA), so only plain lower-case names pass. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA.test(schema))
    throw new RuntimeError("bad_request", `Schema name "${schema}" must be lower-case letters, digits or _.`);
  return schema;
}

/**
 * The schema goes into the startup packet (`options=-c search_path=...`), so every pooled
 * connection uses it from its first query on; a `SET` on the pool's connect event would race
 * with the first query and lose its error. (A URL that sets `options` itself overrides this.)
 */
export function createPool(databaseUrl: string, schema?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    ...(schema ? { options: `-c search_path=${assertSchemaName(schema)}` } : {}),
  });
  pool.on("error", () => undefined); // an idle client dropped by the server: the pool replaces it
  return pool;
}

/** Applies the numbered Postgres migrations once, under an advisory lock so parallel starts don't race. */
import type pg from "pg";
import { loadMigrations } from "../migrations.ts";
import { inTransaction } from "./transaction.ts";

const MIGRATION_LOCK = 7_345_112;

/** @param schema already validated; created here when missing (the pool's search_path names it). */
export async function migrate(pool: pg.Pool, schema?: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    // Waiting for another node's migrations and running big ones are fine: no timeouts here.
    await client.query("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const applied = new Set(
      (await client.query("SELECT version FROM schema_migrations")).rows.map((row) => Number(row.version)),
    );
    for (const migration of loadMigrations("postgres")) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
  });
}

/** Stable app ids in Postgres: created once per (workspace, alias); concurrent first asks agree. */
import { randomUUID } from "node:crypto";
import type pg from "pg";

export async function ensureAppIds(
  pool: pg.Pool,
  workspace: string,
  aliases: string[],
): Promise<Record<string, string>> {
  if (aliases.length === 0) return {};
  const now = new Date().toISOString();
  await pool.query(
    `INSERT INTO app_ids (workspace, alias, id, created_at)
     SELECT $1, alias, id, $4 FROM unnest($2::text[], $3::text[]) AS x(alias, id)
     ON CONFLICT (workspace, alias) DO NOTHING`,
    [workspace, aliases, aliases.map(() => randomUUID()), now],
  );
  const { rows } = await pool.query(
    "SELECT alias, id FROM app_ids WHERE workspace = $1 AND alias = ANY($2)",
    [workspace, aliases],
  );
  return Object.fromEntries(rows.map((row) => [row.alias as string, row.id as string]));
}

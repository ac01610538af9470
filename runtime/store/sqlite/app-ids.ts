/** Stable app ids in SQLite: created once per (workspace, alias), read back ever after. */
import { randomUUID } from "node:crypto";
import { inSqliteTransaction } from "./transaction.ts";
import type { DatabaseSync } from "node:sqlite";
import type { Prepare } from "./statements.ts";

export function ensureAppIds(
  db: DatabaseSync,
  prepare: Prepare,
  workspace: string,
  aliases: string[],
): Record<string, string> {
  const ids: Record<string, string> = {};
  inSqliteTransaction(db, () => {
    for (const alias of aliases) {
      prepare(
        "INSERT INTO app_ids (workspace, alias, id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (workspace, alias) DO NOTHING",
      ).run(workspace, alias, randomUUID(), new Date().toISOString());
      const row = prepare("SELECT id FROM app_ids WHERE workspace = ? AND alias = ?").get(
        workspace,
        alias,
      ) as {
        id: string;
      };
      ids[alias] = row.id;
    }
  });
  return ids;
}

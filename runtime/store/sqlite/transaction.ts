/**
 * One SQLite write transaction on the store's connection: BEGIN IMMEDIATE (the write lock at once,
 * so a busy database fails here rather than halfway), COMMIT on success, ROLLBACK on error (unless
 * SQLite already rolled back itself, as it does on SQLITE_FULL: a ROLLBACK then would fail and
 * hide the real error behind "no transaction is active"). The
 * work is synchronous on purpose: an await inside would let other statements on the one
 * connection into the open transaction.
 */
import type { DatabaseSync } from "node:sqlite";

export function inSqliteTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** Prepared statements reused by SQL text: compiling SQL is a large part of a small action's cost. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

export type Prepare = (sql: string) => StatementSync;

/** Filter queries vary with their input, so the cache is bounded. */
const MAX_STATEMENTS = 256;

export function statementCache(db: DatabaseSync): Prepare {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_STATEMENTS) cache.clear();
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

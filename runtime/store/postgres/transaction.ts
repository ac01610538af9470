/**
 * One pooled connection, one transaction: COMMIT on success, ROLLBACK on error, released in
 * finally. A connection the server drops while it is checked out (restart, crash, admin command)
 * reports an `error` event: it is listened to here, so it fails this transaction instead of the
 * whole process. When the connection is lost while COMMIT is on the wire, nobody knows whether
 * it committed: that is `commit_unknown`, never a plain failure.
 */
import type pg from "pg";
import { RuntimeError } from "../../errors.ts";
import { isConnectionError } from "./availability.ts";

const LISTENED = Symbol("comind.error-listener");

/** Once per pooled client: an `error` event while checked out must never be unhandled. */
function listenForErrors(client: pg.PoolClient): void {
  const marked = client as pg.PoolClient & { [LISTENED]?: true };
  if (marked[LISTENED]) return;
  marked[LISTENED] = true;
  client.on("error", () => undefined); // the failing query rejects too; that is where it is handled
}

export function commitUnknown(): RuntimeError {
  return new RuntimeError(
    "commit_unknown",
    "The database connection was lost while the change was being committed, so it may or may not be saved. Check GET /api/runs/{runId} once the database is back, or retry with the same Idempotency-Key.",
  );
}

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  listenForErrors(client);
  let broken: Error | undefined;
  let committing = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    committing = true;
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (committing && isConnectionError(error)) {
      broken = error as Error;
      throw commitUnknown();
    }
    await client.query("ROLLBACK").catch((rollbackError) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken); // a connection that cannot even roll back is closed, not pooled
  }
}

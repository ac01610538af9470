/** One pooled connection, one transaction: COMMIT on success, ROLLBACK on error, released in finally. */
import type pg from "pg";

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken); // a connection that cannot even roll back is closed, not pooled
  }
}

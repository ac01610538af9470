/**
 * Heartbeats of job nodes (Postgres queue): every `heartbeatMs` this node touches one row per
 * graphile-worker pool it runs (`queue_heartbeats`, the store's migration 180), then judges the
 * others: a pool whose row is older than `deadAfterMs` belongs to a dead node, so its job locks
 * and record queues are released at once (graphile's public forceUnlockWorkers, through `unlock`)
 * and its row is deleted. Pools without a row (nodes of an older version) are left to the lock
 * timeout (graphile-sweep.ts).
 *
 * Never twice while a node lives:
 * - Times are the database's now(), written and compared there: nodes' clocks never matter.
 * - The verdict is taken under the stale rows' locks (FOR UPDATE SKIP LOCKED) and the rows are
 *   deleted in the same transaction: a beat racing it either lands first (the row is fresh and
 *   skipped) or waits and finds its row gone. A node that finds its row gone was taken for dead,
 *   and says so in its log (its jobs may run again elsewhere; their commit marks keep a run from
 *   applying twice).
 * - A node judges only after its own beats have gone through, uninterrupted, for `deadAfterMs`:
 *   after a database outage nobody could beat, and every row is old; the live nodes' rows are
 *   fresh again before anyone judges.
 * - The beat runs on this process's event loop, which action logic never holds: it runs in
 *   isolates (sandbox worker processes, or isolated-vm's own threads with --workers 0) that the
 *   loop only awaits, and host work that takes CPU runs in threads. A handler slower than
 *   `deadAfterMs` therefore keeps beating, and keeps its job. A loop blocked for `deadAfterMs`
 *   would also stop the node's HTTP answers and database keep-alives: it is fair to call it dead.
 * - Beats and verdicts use the queue's own connection pool, never the store's request pool, so
 *   a node busy with requests cannot starve its own heartbeat.
 */
import { hostname } from "node:os";
import type pg from "pg";

export interface HeartbeatSettings {
  /** The queue's own pool (graphile-worker's). */
  pool: pg.Pool;
  /** The heartbeat table, schema-qualified (`"public".queue_heartbeats`). */
  table: string;
  heartbeatMs: number;
  deadAfterMs: number;
  /** Frees dead pools' job locks and record queues; answers how many jobs they held. */
  unlock(poolIds: string[]): Promise<number>;
  onError?: (error: unknown) => void;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export interface Heartbeat {
  /** This node as its rows name it: `host:pid`. */
  readonly node: string;
  /** A pool of this node started: it beats from now on, the first time at once. */
  add(poolId: string): void;
  /** Pools of this node that ended and whose locks are released: no more beats, rows deleted. */
  forget(poolIds: string[]): Promise<void>;
  /** Stops beating and judging (rows stay until `forget`). */
  stop(): Promise<void>;
}

interface StaleRow {
  pool_id: string;
  node: string;
  age_ms: number;
}

export function startHeartbeat(settings: HeartbeatSettings): Heartbeat {
  const { pool, table, heartbeatMs, deadAfterMs } = settings;
  const node = `${hostname()}:${process.pid}`;
  const pools = new Set<string>();
  /** Pools whose row was written at least once: a missing row later means a verdict. */
  const written = new Set<string>();

  const beat = async () => {
    const ids = [...pools];
    const { rows } = await pool.query(
      `UPDATE ${table} SET beat_at = now() WHERE pool_id = ANY($1::text[]) RETURNING pool_id`,
      [ids],
    );
    const touched = new Set(rows.map((row) => String(row.pool_id)));
    const missing = ids.filter((id) => !touched.has(id));
    if (missing.length === 0) return;
    const lost = missing.filter((id) => written.has(id));
    if (lost.length > 0)
      settings.onWarning?.(
        "this node was taken for dead (its heartbeat got older than the dead-after time): its jobs were released to other nodes. Was its event loop blocked, or the database out of its reach?",
        { node, pools: lost, deadAfterMs },
      );
    await pool.query(
      `INSERT INTO ${table} (pool_id, node) SELECT unnest($1::text[]), $2
       ON CONFLICT (pool_id) DO UPDATE SET beat_at = now()`,
      [missing, node],
    );
    for (const id of missing) written.add(id);
  };

  const judge = async () => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<StaleRow>(
        `SELECT pool_id, node, (extract(epoch FROM now() - beat_at) * 1000)::float8 AS age_ms
         FROM ${table} WHERE beat_at < now() - $1::interval AND NOT (pool_id = ANY($2::text[]))
         FOR UPDATE SKIP LOCKED`,
        [`${deadAfterMs} milliseconds`, [...pools]],
      );
      if (rows.length === 0) return void (await client.query("COMMIT"));
      const ids = rows.map((row) => row.pool_id);
      const jobsReleased = await settings.unlock(ids);
      await client.query(`DELETE FROM ${table} WHERE pool_id = ANY($1::text[])`, [ids]);
      await client.query("COMMIT");
      settings.onWarning?.(
        "job node taken for dead (its heartbeat stopped): its jobs were released to the other nodes",
        {
          deadNodes: [...new Set(rows.map((row) => row.node))],
          pools: ids,
          heartbeatAgeMs: Math.round(Math.min(...rows.map((row) => row.age_ms))),
          jobsReleased,
        },
      );
    } catch (error) {
      failure = error as Error;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release(failure);
    }
  };

  // Judging needs `deadAfterMs` of this node's own beats in a row (see the file comment).
  let streakStart = 0;
  let lastOk: number | undefined;
  let failing = false;
  const tick = async () => {
    try {
      await beat();
    } catch (error) {
      lastOk = undefined;
      if (!failing)
        settings.onError?.(
          new Error(`heartbeat not written (trying again every ${heartbeatMs} ms): ${String(error)}`),
        );
      failing = true;
      return;
    }
    if (failing) settings.onWarning?.("heartbeat written again", { node });
    failing = false;
    const at = performance.now();
    if (lastOk === undefined || at - lastOk > 2 * heartbeatMs) streakStart = at;
    lastOk = at;
    if (at - streakStart >= deadAfterMs) await judge().catch((error) => settings.onError?.(error));
  };

  // One database call at a time, in order; a tick due while one is in flight (a slow database)
  // is not queued twice.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>) => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  let stopped = false;
  let tickQueued = false;
  const schedule = () => {
    if (stopped || tickQueued) return;
    tickQueued = true;
    void serial(async () => {
      tickQueued = false;
      if (!stopped) await tick();
    });
  };
  const timer = setInterval(schedule, heartbeatMs);

  return {
    node,
    add(poolId) {
      pools.add(poolId);
      schedule();
    },
    forget(poolIds) {
      for (const id of poolIds) pools.delete(id);
      return serial(async () => {
        if (poolIds.length > 0)
          await pool.query(`DELETE FROM ${table} WHERE pool_id = ANY($1::text[])`, [poolIds]);
        for (const id of poolIds) written.delete(id);
      });
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}

/**
 * Housekeeping of graphile-worker's tables, done only through its public surface (the `jobs`
 * view, WorkerUtils.forceUnlockWorkers and WorkerUtils.cleanup), never by writing its private
 * tables:
 *
 * - A node that died keeps its jobs, and the record queues of those jobs, locked; graphile frees
 *   them only after 4 hours. Nodes that beat (graphile-heartbeat.ts) are released within seconds
 *   by their heartbeat, which also keeps a live node's long jobs from being taken. The last resort,
 *   for pools without a heartbeat row (a node of an older version, or one killed before its first
 *   beat): a worker pool whose newest lock is older than `lockTimeoutMs` is taken for dead and
 *   force-unlocked (jobs and queues), so another node runs its jobs. This node's own pools are
 *   never unlocked: they are alive.
 * - Every record that ever had a run has a named queue (`rec:<workspace>:<record>`); graphile's
 *   job fetch looks at every unlocked queue, so empty ones are dropped (GC_JOB_QUEUES) about once a
 *   minute. graphile's `add_job` creates a missing queue and then inserts the job in a second
 *   statement: a collection between the two would leave the job outside its queue (no per-record
 *   order). So every enqueue holds a shared transaction lock (`QUEUE_GC_LOCK_SQL`) and the
 *   collection runs only when it gets the exclusive one at once (it never makes an enqueue wait).
 */
import { type Logger, makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type pg from "pg";

const GC_EVERY_MS = 60_000;

/** The advisory key shared by enqueues (shared) and the queue collection (exclusive). */
const gcKey = (schema: string) => `comind-job-queues:${schema}`;

/** Taken by every transaction that adds a job to a record queue, before graphile's `add_job`. */
export const QUEUE_GC_LOCK_SQL = "SELECT pg_advisory_xact_lock_shared(hashtext($1))";
export const queueGcLockParams = (schema: string): unknown[] => [gcKey(schema)];

export interface SweepOptions {
  pool: pg.Pool;
  schema: string;
  lockTimeoutMs: number;
  /** The heartbeat table (schema-qualified): pools with a row there are judged by their heartbeat. */
  heartbeatTable?: string;
  logger: Logger;
  onError?: (error: unknown) => void;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export interface Sweeper {
  /** Pools of this node (alive, never force-unlocked). */
  ownPools: Set<string>;
  /** Releases the locks of this node's pools that stopped (their workers are done). */
  release(stopped: string[]): Promise<void>;
  /** Releases the locks of other nodes' dead pools; answers how many jobs they held. */
  unlock(dead: string[]): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Worker pools without a heartbeat row whose newest job lock is older than the lock timeout, read
 * from the public view.
 */
async function deadPools(options: SweepOptions, own: Set<string>): Promise<string[]> {
  const beating = options.heartbeatTable
    ? `AND NOT EXISTS (SELECT 1 FROM ${options.heartbeatTable} h WHERE h.pool_id = j.locked_by)`
    : "";
  const { rows } = await options.pool.query(
    `SELECT locked_by FROM "${options.schema}".jobs j WHERE locked_by IS NOT NULL ${beating}
     GROUP BY locked_by HAVING max(locked_at) < now() - $1::interval`,
    [`${Math.round(options.lockTimeoutMs)} milliseconds`],
  );
  return rows.map((row) => String(row.locked_by)).filter((id) => !own.has(id));
}

/** Drops empty record queues when no enqueue is in flight (see the file comment). */
export async function collectQueues(options: SweepOptions, utils: WorkerUtils): Promise<boolean> {
  const client = await options.pool.connect();
  try {
    const { rows } = await client.query("SELECT pg_try_advisory_lock(hashtext($1)) AS got", [
      gcKey(options.schema),
    ]);
    if (!rows[0]?.got) return false;
    try {
      await utils.cleanup({ tasks: ["GC_JOB_QUEUES"] });
      return true;
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [gcKey(options.schema)]);
    }
  } finally {
    client.release();
  }
}

export async function startSweeper(options: SweepOptions): Promise<Sweeper> {
  const utils = await makeWorkerUtils({
    pgPool: options.pool,
    schema: options.schema,
    logger: options.logger,
  });
  const ownPools = new Set<string>();
  let lastGc = 0;
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    const dead = await deadPools(options, ownPools);
    if (dead.length > 0) {
      await utils.forceUnlockWorkers(dead);
      options.onWarning?.(
        "job locks older than the lock timeout released (their node has no heartbeat: it died, or runs an older version)",
        { pools: dead, lockTimeoutMs: options.lockTimeoutMs },
      );
    }
    if (Date.now() - lastGc >= GC_EVERY_MS && (await collectQueues(options, utils))) lastGc = Date.now();
  };
  const every = Math.max(Math.min(options.lockTimeoutMs / 3, 30_000), 500);
  const timer = setInterval(() => {
    running = running.then(sweep).catch((error) => options.onError?.(error));
  }, every);
  return {
    ownPools,
    async release(stopped) {
      if (stopped.length > 0) await utils.forceUnlockWorkers(stopped);
      for (const id of stopped) ownPools.delete(id);
    },
    async unlock(dead) {
      const { rows } = await options.pool.query(
        `SELECT count(*)::int AS n FROM "${options.schema}".jobs WHERE locked_by = ANY($1::text[])`,
        [dead],
      );
      await utils.forceUnlockWorkers(dead);
      return Number(rows[0]?.n ?? 0);
    },
    async stop() {
      clearInterval(timer);
      await running;
      await utils.release();
    },
  };
}

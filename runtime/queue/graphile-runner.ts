/**
 * Taking jobs from graphile-worker on one node: the runner (restarted when another schema's
 * migration notice stopped it), one job at a time per record (an advisory lock), and the sweep
 * that frees jobs a dead node left locked.
 */
import { type Logger, run, runMigrations, type Runner } from "graphile-worker";
import type pg from "pg";
import type { JobRef } from "./types.ts";

export const TASK = "comind_run";

export interface GraphileRunnerOptions {
  pool: pg.Pool;
  schema: string;
  concurrency: number;
  lockTimeoutMs: number;
  pollMs?: number;
  logger: Logger;
  onError?: (error: unknown) => void;
}

/** What a job's payload holds: the attempt of a run, and its record (for the per-record lock). */
export interface JobPayload {
  runId: string;
  attempt: number;
  recordId: string | null;
}

/** Runs `work` holding the record's advisory lock (a session lock: a dead node's goes with its connection). */
async function oneAtATime(pool: pg.Pool, recordId: string | null, work: () => Promise<void>): Promise<void> {
  if (!recordId) return work();
  const client = await pool.connect();
  const key = `comind-record:${recordId}`;
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [key]);
    try {
      await work();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [key]);
    }
  } finally {
    client.release();
  }
}

/** A node that died keeps its jobs locked; graphile frees them only after 4 hours, we after the lock timeout. */
async function unlockStale(options: GraphileRunnerOptions): Promise<void> {
  await options.pool.query(
    `UPDATE "${options.schema}"._private_jobs SET locked_at = NULL, locked_by = NULL WHERE locked_at < now() - $1::interval`,
    [`${Math.round(options.lockTimeoutMs)} milliseconds`],
  );
}

export async function startGraphileRunner(
  options: GraphileRunnerOptions,
  handler: (job: JobRef) => Promise<void>,
): Promise<{ stop(): Promise<void> }> {
  const { pool, schema, logger } = options;
  let runner: Runner | null = null;
  let closing = false;
  const taskList = {
    [TASK]: async (payload: unknown) => {
      const job = payload as JobPayload;
      await oneAtATime(pool, job.recordId ?? null, () =>
        handler({ runId: String(job.runId), attempt: Number(job.attempt) }),
      );
    },
  };
  const startRunner = async (): Promise<void> => {
    const started = await run({
      pgPool: pool,
      schema,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollMs ?? 1_000,
      logger,
      crontab: "",
      taskList,
    });
    runner = started;
    started.promise.catch(() => undefined).finally(() => restartAfterStop(started));
  };
  // graphile-worker stops its workers when any schema of the same database announces a breaking
  // migration (its NOTIFY channel is database-wide) and sets process.exitCode = 57. If our own
  // schema is still one we support, this node goes on: check and start again.
  const restartAfterStop = (stopped: Runner) => {
    if (closing || runner !== stopped) return;
    if (process.exitCode === 57) process.exitCode = undefined;
    options.onError?.(new Error("graphile-worker stopped unexpectedly; starting it again"));
    setTimeout(() => {
      if (closing) return;
      runMigrations({ pgPool: pool, schema, logger })
        .then(startRunner)
        .catch((error) => options.onError?.(error));
    }, 500);
  };
  await startRunner();
  const every = Math.max(Math.min(options.lockTimeoutMs / 3, 30_000), 500);
  const sweeper = setInterval(() => unlockStale(options).catch(options.onError), every);
  return {
    async stop() {
      closing = true;
      clearInterval(sweeper);
      await runner?.stop().catch(() => undefined); // already stopped: nothing to wait for
    },
  };
}

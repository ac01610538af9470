/**
 * Taking jobs from graphile-worker on one node: the runner (restarted when its database went away
 * or another schema's migration notice stopped it), the heartbeat of its pools and the judging of
 * other nodes' (graphile-heartbeat.ts), and the sweeper (graphile-sweep.ts) that frees what a
 * dead node of an older version left locked. One record's jobs run one at a time through
 * graphile's named queues (`recordQueueName`), set when the job is added.
 */
import { EventEmitter } from "node:events";
import {
  type Logger,
  run,
  runMigrations,
  type Runner,
  type TaskList,
  type WorkerEvents,
} from "graphile-worker";
import type pg from "pg";
import { type Heartbeat, startHeartbeat } from "./graphile-heartbeat.ts";
import { startSweeper } from "./graphile-sweep.ts";
import type { HeartbeatOptions } from "./heartbeat-options.ts";
import type { JobRef } from "./types.ts";

export const TASK = "comind_run";

/**
 * graphile's worker looks for its next job without waiting for the completion of the last one to
 * commit, so the next job of the same record queue (still locked at that moment) would wait for
 * a poll (`pollMs`). Idle workers of this node are nudged this long after such a job completes;
 * the later nudges cover a completion that takes longer to commit on a busy database.
 */
const NUDGE_AFTER_MS = [5, 50, 500, 2_000];

export interface GraphileRunnerOptions {
  pool: pg.Pool;
  schema: string;
  concurrency: number;
  lockTimeoutMs: number;
  pollMs?: number;
  /**
   * The heartbeat table (schema-qualified) and its timing. Without it this node neither beats
   * nor judges others' heartbeats, like a node of an older version: only the lock timeout frees
   * its jobs.
   */
  heartbeat?: HeartbeatOptions & { table: string };
  logger: Logger;
  onError?: (error: unknown) => void;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
  /**
   * The handler threw on graphile's last try of a job (its `max_attempts`, the run's): the
   * attempt's outcome could not be recorded, and graphile will not deliver it again.
   */
  onGiveUp?: (job: JobRef, error: unknown) => Promise<void>;
}

export interface GraphileRunner {
  /** False while graphile is stopped and waiting to start again (e.g. the database is down). */
  running(): boolean;
  stop(): Promise<void>;
}

/** Waits between attempts to start graphile again: 0.5 s, doubling, at most 10 s. */
export function restartDelayMs(tries: number): number {
  return Math.min(500 * 2 ** tries, 10_000);
}

/** What a job's payload holds: one attempt of a run. */
export interface JobPayload {
  runId: string;
  attempt: number;
}

/**
 * The graphile queue of a run on an existing record: graphile runs the jobs of one queue one at a
 * time on every node, and a job whose queue is busy is skipped, so it holds no worker slot while
 * it waits. Runs on a new record have no queue and run in parallel.
 */
export function recordQueueName(workspace: string, recordId: string | null | undefined): string | null {
  return recordId ? `rec:${workspace}:${recordId}` : null;
}

export async function startGraphileRunner(
  options: GraphileRunnerOptions,
  handler: (job: JobRef) => Promise<void>,
): Promise<GraphileRunner> {
  const { pool, schema, logger } = options;
  let runner: Runner | null = null;
  let closing = false;
  const taskList: TaskList = {
    [TASK]: async (payload, helpers) => {
      const job = payload as JobPayload;
      const ref = { runId: String(job.runId), attempt: Number(job.attempt) };
      try {
        await handler(ref);
      } catch (error) {
        if (helpers.job.attempts >= helpers.job.max_attempts)
          await options.onGiveUp?.(ref, error).catch((failure) => options.onError?.(failure));
        throw error; // graphile records the failure (and delivers the job again while tries are left)
      }
    },
  };
  // graphile marks a job done or failed without awaiting it (worker.js); unbatched, a refused or
  // dropped connection there is an unhandled rejection that ends the process. Batched (delay 0:
  // the same tick's jobs, no added wait), such a failure reaches graphile's own handler, which
  // stops the pool instead: the restart below takes it from there.
  const preset = { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } };
  let poolsOfNextRunner: string[] = [];
  const poolsOf = new WeakMap<Runner, string[]>();
  const startRunner = async (): Promise<void> => {
    poolsOfNextRunner = [];
    const started = await run({
      pgPool: pool,
      schema,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollMs ?? 1_000,
      logger,
      crontab: "",
      taskList,
      events,
      preset,
    });
    poolsOf.set(started, poolsOfNextRunner);
    runner = started;
    started.promise.catch(() => undefined).finally(() => restartAfterStop(started));
  };
  let restartTimer: NodeJS.Timeout | undefined;
  /** The restart attempt under way: a stop waits for it, so no pool starts after the stop. */
  let restarting: Promise<void> = Promise.resolve();
  /**
   * Starts graphile again after its pool stopped: a lost database (it cannot record a job's
   * outcome), or another schema's migration notice (its NOTIFY channel is database-wide; it then
   * sets process.exitCode = 57). Tries until the database answers, backing off, and never gives
   * up while the node runs. The stopped pool's locks are released first (its workers are done),
   * so its jobs run again at once rather than after the lock timeout; a job that had committed
   * is not run twice (its commit mark).
   */
  const restartAfterStop = (stopped: Runner) => {
    if (closing || runner !== stopped) return;
    runner = null;
    if (process.exitCode === 57) process.exitCode = undefined;
    options.onError?.(new Error("graphile-worker stopped; starting it again once the database answers"));
    const deadPools = poolsOf.get(stopped) ?? [];
    const attempt = (tries: number) => {
      restartTimer = setTimeout(() => {
        if (closing) return;
        restarting = runMigrations({ pgPool: pool, schema, logger })
          .then(() => releaseOwn(deadPools))
          .then(() => (closing ? undefined : startRunner()))
          .catch((error) => {
            options.onError?.(error);
            attempt(tries + 1);
          });
      }, restartDelayMs(tries));
    };
    attempt(0);
  };
  const sweeper = await startSweeper({
    pool,
    schema,
    lockTimeoutMs: options.lockTimeoutMs,
    heartbeatTable: options.heartbeat?.table,
    logger,
    onError: options.onError,
    onWarning: options.onWarning,
  });
  const heartbeat: Heartbeat | null = options.heartbeat
    ? startHeartbeat({
        pool,
        ...options.heartbeat,
        unlock: (dead) => sweeper.unlock(dead),
        onError: options.onError,
        onWarning: options.onWarning,
      })
    : null;
  /**
   * Releases the locks of this node's pools whose workers are done, then deletes their heartbeat
   * rows (in this order: a row left behind by a failure goes stale, and another node releases
   * the locks after the dead-after time).
   */
  const releaseOwn = async (stopped: string[]) => {
    await sweeper.release(stopped);
    await heartbeat?.forget(stopped);
  };
  // This node's pools (its job locks carry their id) are alive: the sweeper leaves them alone,
  // and they beat from their first moment (a restart's new pools too).
  const events: WorkerEvents = new EventEmitter();
  events.on("pool:create", ({ workerPool }) => {
    sweeper.ownPools.add(workerPool.id);
    heartbeat?.add(workerPool.id);
    poolsOfNextRunner.push(workerPool.id);
  });
  events.on("job:complete", ({ worker, job }) => {
    if (job.job_queue_id == null) return;
    for (const ms of NUDGE_AFTER_MS)
      setTimeout(() => {
        if (closing) return;
        try {
          worker.workerPool.nudge(1);
        } catch {
          // the pool is shutting down: nobody to wake
        }
      }, ms).unref();
  });
  await startRunner();
  return {
    running: () => runner !== null,
    /**
     * graphile's graceful stop waits for the running jobs (beating on meanwhile: a long job must
     * not look dead) and marks them done. Whatever this node's pools still hold after it — a pool
     * stopped by a lost database whose restart had not come yet, a completion that could not be
     * written — is released by their own ids, then their heartbeat rows go. If the database is
     * gone by then, the rows go stale and another node releases the locks after the dead-after
     * time.
     */
    async stop() {
      closing = true;
      clearTimeout(restartTimer);
      await restarting;
      await runner?.stop().catch(() => undefined); // already stopped: nothing to wait for
      await heartbeat?.stop();
      await releaseOwn([...sweeper.ownPools]).catch((error) => options.onError?.(error));
      await sweeper.stop();
    },
  };
}

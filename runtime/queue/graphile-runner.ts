/**
 * Taking jobs from graphile-worker on one node: the runner (restarted when another schema's
 * migration notice stopped it) and the sweeper (graphile-sweep.ts) that frees what a dead node
 * left locked. One record's jobs run one at a time through graphile's named queues
 * (`recordQueueName`), set when the job is added.
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
import { startSweeper } from "./graphile-sweep.ts";
import type { JobRef } from "./types.ts";

export const TASK = "comind_run";

/**
 * graphile's worker looks for its next job without waiting for the completion of the last one to
 * commit, so the next job of the same record queue (still locked at that moment) would wait for
 * a poll (`pollMs`). Idle workers of this node are nudged this long after such a job completes.
 */
const NUDGE_AFTER_MS = [5, 50];

export interface GraphileRunnerOptions {
  pool: pg.Pool;
  schema: string;
  concurrency: number;
  lockTimeoutMs: number;
  pollMs?: number;
  logger: Logger;
  onError?: (error: unknown) => void;
  /**
   * The handler threw on graphile's last try of a job (its `max_attempts`, the run's): the
   * attempt's outcome could not be recorded, and graphile will not deliver it again.
   */
  onGiveUp?: (job: JobRef, error: unknown) => Promise<void>;
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
): Promise<{ stop(): Promise<void> }> {
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
      events,
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
  const sweeper = await startSweeper({
    pool,
    schema,
    lockTimeoutMs: options.lockTimeoutMs,
    logger,
    onError: options.onError,
  });
  // This node's pools (its job locks carry their id) are alive: the sweeper leaves them alone.
  const events: WorkerEvents = new EventEmitter();
  events.on("pool:create", ({ workerPool }) => sweeper.ownPools.add(workerPool.id));
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
    async stop() {
      closing = true;
      await sweeper.stop();
      await runner?.stop().catch(() => undefined); // already stopped: nothing to wait for
    },
  };
}

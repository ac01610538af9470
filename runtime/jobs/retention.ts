/**
 * The retention job: the run log (`action_runs`) and the queue's finished runs (`queue_runs`)
 * older than the retention age are deleted, so neither grows forever. Every job node runs the
 * timer; each pass claims a tick of the `~retention` schedule first (the scheduler's claim: one
 * row per tick), so one node per tick does the work however many nodes there are, on both engines.
 * The work goes in small batches (each a short statement; the event loop and other writers get
 * their turn between them). What is still needed is never deleted: queued and running jobs, runs a
 * record's history names, runs behind idempotent answers still replayed (store/trim-sql.ts).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Queue } from "../queue/index.ts";
import type { RunPort, TrimBatch, TrimResult } from "../store/index.ts";
import { REAL_CLOCK, type SchedulerClock } from "./scheduler.ts";

export const RETENTION_SCHEDULE = "~retention";
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Default age of the rows kept: a month of runs to look back at. */
export const DEFAULT_RETENTION_DAYS = 30;
/** 0 keeps everything; at least one day otherwise (idempotent answers are replayed for 24 hours). */
export const RETENTION_RANGE = { min: 0, max: 36_500, whole: true } as const;
const EVERY_MS = 60 * 60 * 1000;
const BATCH = 500;

export interface RetentionLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RetentionOptions {
  /** Rows older than this many days go; 0 keeps them forever (no timer is started). */
  days: number;
  /** How often a pass runs (default hourly). */
  everyMs?: number;
  /** Rows looked at per batch (default 500). */
  batchSize?: number;
  clock?: SchedulerClock;
}

export interface TrimCounts {
  /** Rows deleted from the run log (action_runs). */
  runLog: number;
  /** Finished runs deleted from the queue (queue_runs). */
  queueRuns: number;
}

/** Walks one table's batches to the cutoff; stops early when `stopped` says so. */
async function trimAll(
  trim: (batch: TrimBatch) => Promise<TrimResult>,
  before: string,
  limit: number,
  stopped: () => boolean,
): Promise<number> {
  let deleted = 0;
  let after: TrimBatch["after"] = null;
  do {
    const result = await trim({ before, after, limit });
    deleted += result.deleted;
    after = result.next;
    await nextTurn();
  } while (after && !stopped());
  return deleted;
}

/** One pass: everything older than `before` that may go, in batches of `batchSize`. */
export async function trimOlderThan(
  runs: RunPort,
  queue: Queue,
  before: Date,
  batchSize = BATCH,
  stopped: () => boolean = () => false,
): Promise<TrimCounts> {
  const cutoff = before.toISOString();
  const queueRuns = await trimAll((batch) => queue.trimRuns(batch), cutoff, batchSize, stopped);
  const runLog = await trimAll((batch) => runs.trimRunLog(batch), cutoff, batchSize, stopped);
  return { runLog, queueRuns };
}

/** Starts the hourly pass (a first one at once); `stop` waits for a pass in progress to end. */
export function startRetention(
  runs: RunPort,
  queue: Queue,
  log: RetentionLog,
  options: RetentionOptions,
): { stop(): Promise<void> } {
  if (options.days === 0) return { stop: async () => {} };
  const clock = options.clock ?? REAL_CLOCK;
  const everyMs = options.everyMs ?? EVERY_MS;
  let stopped = false;
  let timer: unknown;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    const now = clock.now();
    const tick = new Date(Math.floor(now / everyMs) * everyMs).toISOString();
    try {
      if (!(await queue.addTick(RETENTION_SCHEDULE, tick, [])).claimed) return;
      const before = new Date(now - options.days * DAY_MS);
      const counts = await trimOlderThan(runs, queue, before, options.batchSize, () => stopped);
      log.info(
        { ...counts, before: before.toISOString(), days: options.days },
        `retention: trimmed ${counts.runLog} run-log rows and ${counts.queueRuns} finished queue runs`,
      );
    } catch (error) {
      log.error({ error: String(error) }, "retention pass failed; the next one tries again");
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimer(async () => {
      running = pass();
      await running;
      schedule();
    }, everyMs);
  };
  running = pass();
  schedule();
  return {
    async stop() {
      stopped = true;
      clock.clearTimer(timer);
      await running;
    },
  };
}

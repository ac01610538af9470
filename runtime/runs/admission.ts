/**
 * Admission control for actions run on request (REST, MCP, the console): at most `maxRunning` at a
 * time; the next ones wait in arrival order, at most `maxWaiting` of them (and at most
 * `maxPerRecord` running or waiting for any one record) and at most `maxWaitMs` each. Beyond that
 * an action is refused at once with `503 overloaded` and Retry-After: under a flood, the work the
 * server admitted keeps a bounded latency and memory (each running action holds an isolate), and
 * the server is itself again as soon as the flood stops — rather than queueing requests until every
 * answer times out. Queued runs (jobs) are not admitted here: the job runner has its concurrency.
 */
import { z } from "zod";
import { numberIn } from "../config-schema.ts";
import { RuntimeError } from "../errors.ts";
import type { RefusalReason } from "../metrics/index.ts";

export const ADMISSION_RANGES = {
  maxRunning: { min: 1, max: 100_000, whole: true },
  maxWaiting: { min: 0, max: 1_000_000, whole: true },
  maxPerRecord: { min: 1, max: 100_000, whole: true },
  maxWaitMs: { min: 0, max: 600_000, whole: true },
} as const;

export const DEFAULT_ADMISSION = {
  maxRunning: 64,
  maxWaiting: 256,
  maxPerRecord: 32,
  maxWaitMs: 5_000,
} as const;

export const admissionOptionsSchema = z.strictObject({
  /** Actions running at once (each holds an isolate while it runs, also while it waits on HTTP). */
  maxRunning: numberIn(ADMISSION_RANGES.maxRunning).optional(),
  /** Actions waiting for a free place; one more is refused at once. */
  maxWaiting: numberIn(ADMISSION_RANGES.maxWaiting).optional(),
  /** Actions running or waiting on one record (its runs go one at a time anyway). */
  maxPerRecord: numberIn(ADMISSION_RANGES.maxPerRecord).optional(),
  /** How long one may wait for a place before it is refused. */
  maxWaitMs: numberIn(ADMISSION_RANGES.maxWaitMs).optional(),
});
export type AdmissionOptions = z.infer<typeof admissionOptionsSchema>;

/** Seconds a refused client is told to wait. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 1;

function overloaded(why: string): RuntimeError {
  return Object.assign(
    new RuntimeError(
      "overloaded",
      `The server is busy (${why}); nothing was run. Retry after the Retry-After seconds.`,
    ),
    { retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS },
  );
}

interface Waiter {
  record: string | undefined;
  admit: () => void;
}

export class Admission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly perRecord = new Map<string, number>();
  private readonly limits: Required<AdmissionOptions>;
  /** Actions refused since the start (for stats and metrics). */
  refused = 0;

  private readonly onRefused: (reason: RefusalReason) => void;

  /** @param onRefused told each refusal's reason (the metrics) */
  constructor(options: AdmissionOptions = {}, onRefused: (reason: RefusalReason) => void = () => undefined) {
    this.onRefused = onRefused;
    const set = Object.entries(options).filter(([, value]) => value !== undefined);
    this.limits = { ...DEFAULT_ADMISSION, ...Object.fromEntries(set) };
  }

  stats() {
    return { running: this.running, waiting: this.waiting.length, refused: this.refused, ...this.limits };
  }

  /**
   * Runs `work` once admitted; throws `overloaded` (with retryAfterSeconds) when it is not.
   * `work` learns whether it waited for its place (what was read before may be stale by then).
   */
  async run<T>(record: string | undefined, work: (waited: boolean) => Promise<T>): Promise<T> {
    const waited = await this.enter(record);
    try {
      return await work(waited);
    } finally {
      this.leave(record);
    }
  }

  /**
   * The refusal an action arriving now would get because every running and waiting place is
   * taken (counted as one), or null. The server asks before it reads a request's body or its
   * credential: under a flood the refusals are then cheap and the busy event loop keeps its time
   * for the work it admitted (server/early-shed.ts).
   */
  refuseNow(): RuntimeError | null {
    const { maxRunning, maxWaiting } = this.limits;
    if (this.running < maxRunning || this.waiting.length < maxWaiting) return null;
    try {
      return this.refuse("busy", `${maxRunning} actions running, ${maxWaiting} waiting`);
    } catch (error) {
      return error as RuntimeError;
    }
  }

  private refuse(reason: RefusalReason, why: string): never {
    this.refused += 1;
    this.onRefused(reason);
    throw overloaded(why);
  }

  /** True when it had to wait for a place. */
  private async enter(record: string | undefined): Promise<boolean> {
    const { maxRunning, maxWaiting, maxPerRecord, maxWaitMs } = this.limits;
    if (record !== undefined && (this.perRecord.get(record) ?? 0) >= maxPerRecord)
      this.refuse("record", `${maxPerRecord} actions are already running or waiting on this record`);
    if (this.running < maxRunning && this.waiting.length === 0) {
      this.take(record);
      return false;
    }
    if (this.waiting.length >= maxWaiting)
      this.refuse("busy", `${maxRunning} actions running, ${maxWaiting} waiting`);
    this.count(record, 1);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        record,
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        this.count(record, -1);
        this.refused += 1;
        this.onRefused("wait");
        reject(overloaded(`no place within ${maxWaitMs / 1000} s`));
      }, maxWaitMs);
      this.waiting.push(waiter);
    });
    // Admitted by leave(): it counted us as running already.
    return true;
  }

  private take(record: string | undefined): void {
    this.running += 1;
    this.count(record, 1);
  }

  private leave(record: string | undefined): void {
    this.running -= 1;
    this.count(record, -1);
    const next = this.waiting.shift();
    if (next) {
      this.running += 1; // its per-record count was taken when it started waiting
      next.admit();
    }
  }

  private count(record: string | undefined, delta: number): void {
    if (record === undefined) return;
    const now = (this.perRecord.get(record) ?? 0) + delta;
    if (now <= 0) this.perRecord.delete(record);
    else this.perRecord.set(record, now);
  }
}

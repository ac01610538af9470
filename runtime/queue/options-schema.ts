/**
 * The options of openQueue as a zod schema, the QueueOptions type inferred from it. Numbers are
 * checked against QUEUE_RANGES and unknown keys are refused: `concurrency: 0` or a misspelt
 * `lockTimeout` is a bad_request naming the option, never clamped or dropped.
 */
import { z } from "zod";
import { callback, numberIn, parseConfig } from "../config-schema.ts";
import { HEARTBEAT_RANGES } from "./heartbeat-options.ts";
import { quotaOverridesSchema } from "./quota-limits.ts";

/** Accepted ranges of the queue's numbers (the CLI's --job-lock-timeout-ms uses the same). */
export const QUEUE_RANGES = {
  concurrency: { min: 1, max: 1_024, whole: true },
  lockTimeoutMs: { min: 1_000, max: 86_400_000, whole: true },
  pollMs: { min: 10, max: 600_000, whole: true },
} as const;

export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60 * 1000;
export const DEFAULT_CONCURRENCY = 4;

/** graphile-worker's schema: a plain Postgres name, since it is written into its SQL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const queueOptionsSchema = z.strictObject({
  /** Jobs one node runs at a time (default 4). */
  concurrency: numberIn(QUEUE_RANGES.concurrency).default(DEFAULT_CONCURRENCY),
  /**
   * Postgres, the last resort for nodes without a heartbeat (an older version): a node whose
   * newest job lock is older than this is taken for dead. Default 5 minutes.
   */
  lockTimeoutMs: numberIn(QUEUE_RANGES.lockTimeoutMs).default(DEFAULT_LOCK_TIMEOUT_MS),
  /** graphile-worker's schema on Postgres (default graphile_worker); tests use one per file. */
  graphileSchema: z
    .string({ error: "must be a string" })
    .regex(SCHEMA_NAME, {
      error: "must be lower-case letters, digits or _ (at most 63, not starting with a digit)",
    })
    .optional(),
  /** How often idle workers look for due jobs (new jobs wake them at once). */
  pollMs: numberIn(QUEUE_RANGES.pollMs).optional(),
  /** Postgres: how often each job node writes its heartbeat (default 5 s; heartbeat-options.ts). */
  heartbeatMs: numberIn(HEARTBEAT_RANGES.heartbeatMs).optional(),
  /** Postgres: a node whose heartbeat is older than this is dead, its jobs run elsewhere (default 30 s). */
  deadAfterMs: numberIn(HEARTBEAT_RANGES.deadAfterMs).optional(),
  onError: callback<(error: unknown) => void>().optional(),
  /** Things an operator should know that are not errors: a node taken for dead, its jobs released. */
  onWarning: callback<(message: string, details: Record<string, unknown>) => void>().optional(),
  /** The server's enqueue quotas (defaults: DEFAULT_QUOTAS); apps may make theirs stricter. */
  quotas: quotaOverridesSchema.optional(),
  /** The rate limiter's clock (tests step it). */
  now: callback<() => number>().optional(),
});

/** What openQueue accepts (defaults may be left out). */
export type QueueOptions = z.input<typeof queueOptionsSchema>;

/** The options, checked and with their defaults; the first bad one is a bad_request naming it. */
export function parseQueueOptions(raw: unknown = {}): z.output<typeof queueOptionsSchema> {
  return parseConfig(queueOptionsSchema, raw, "bad_request", "", "openQueue: ");
}

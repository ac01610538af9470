/**
 * The options of openQueue as a zod schema, the QueueOptions type inferred from it. Numbers are
 * checked against QUEUE_RANGES and unknown keys are refused: `concurrency: 0` or a misspelt
 * `lockTimeout` is a bad_request naming the option, never clamped or dropped.
 */
import { z } from "zod";
import { callback, numberIn, parseConfig } from "../config-schema.ts";
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
  /** A node whose newest job lock is older than this is taken for dead: its jobs go to other nodes. Default 5 minutes. */
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
  onError: callback<(error: unknown) => void>().optional(),
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

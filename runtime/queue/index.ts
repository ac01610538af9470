/**
 * The job queue: async actions, retries, schedules, webhooks. graphile-worker on Postgres, an
 * in-process runner on SQLite, one `Queue` interface (see types.ts).
 *
 * Storage and transport of jobs only: what running a job means (jobs/) sits above it and the
 * actions, so this folder knows nothing of actions.
 *
 * @example
 *   const queue = await openQueue(store, { concurrency: 4 });
 *   await queue.add(run); // or in an action's commit: queue.commitExtra({ enqueue: [run] })
 */
import type { QueueStoragePort } from "../store/index.ts";
import type { QuotaLimits } from "./quota-limits.ts";
import { parseHeartbeatOptions } from "./heartbeat-options.ts";
import { Quotas } from "./quotas.ts";
import { createSqliteQueue } from "./sqlite-queue.ts";
import type { Queue } from "./types.ts";

export type * from "./types.ts";
export {
  signWebhook,
  verifyWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  TOLERANCE_MS,
} from "./webhook-signature.ts";
export {
  parseQueueSettings,
  backoffMs,
  type QueueSettings,
  type ScheduleSpec,
  type WebhookSpec,
} from "./settings.ts";
export {
  type AppSettings,
  appSettingsSchema,
  cronProblem,
  DEFAULT_RETRIES,
  RETRY_RANGES,
  type RetrySettings,
  retrySettingsSchema,
} from "./settings-schema.ts";
export {
  DEFAULT_QUOTAS,
  QUOTA_KEYS,
  QUOTA_RANGES,
  quotaLimitsSchema,
  quotaOverridesSchema,
  type QuotaLimits,
} from "./quota-limits.ts";
export {
  DEFAULT_HEARTBEAT,
  HEARTBEAT_RANGES,
  type HeartbeatOptions,
  heartbeatOptionsSchema,
  MIN_MISSED_BEATS,
} from "./heartbeat-options.ts";
export { Quotas, APP_PRIORITY_STEP, PENDING_RETRY_AFTER_SECONDS } from "./quotas.ts";
export { queuedRunIdOf, queuedRunStates, type QueuedRunState } from "./read-runs.ts";

export interface QueueOptions {
  /** Jobs one node runs at a time. */
  concurrency?: number;
  /**
   * Postgres, the last resort for nodes without a heartbeat (an older version): a node whose
   * newest job lock is older than this is taken for dead. Default 5 minutes.
   */
  lockTimeoutMs?: number;
  /** Postgres: how often each job node writes its heartbeat (default 5 s). */
  heartbeatMs?: number;
  /** Postgres: a node whose heartbeat is older than this is dead, its jobs run elsewhere (default 30 s). */
  deadAfterMs?: number;
  /** graphile-worker's schema on Postgres (default graphile_worker). */
  graphileSchema?: string;
  /** How often idle workers look for due jobs (new jobs wake them at once). */
  pollMs?: number;
  onError?: (error: unknown) => void;
  /** Things an operator should know that are not errors: a node taken for dead, its jobs released. */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
  /** The server's enqueue quotas (defaults: DEFAULT_QUOTAS); apps may make theirs stricter. */
  quotas?: Partial<QuotaLimits>;
  /** The rate limiter's clock (tests step it). */
  now?: () => number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60 * 1000;

/** Opens the queue in the store's database, reached through the store's queue-storage port only. */
export async function openQueue(store: QueueStoragePort, options: QueueOptions = {}): Promise<Queue> {
  const storage = store.queueStorage;
  const concurrency = Math.max(options.concurrency ?? 4, 1);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const quotas = new Quotas(options.quotas, options.now);
  const heartbeat = parseHeartbeatOptions({
    heartbeatMs: options.heartbeatMs,
    deadAfterMs: options.deadAfterMs,
  });
  if (storage.engine === "sqlite")
    return createSqliteQueue(storage.db, { concurrency, lockTimeoutMs, pollMs: options.pollMs, quotas });
  const { createGraphileQueue } = await import("./graphile-queue.ts");
  return createGraphileQueue(storage.pool, {
    databaseUrl: storage.connectionString,
    schema: options.graphileSchema,
    concurrency,
    lockTimeoutMs,
    heartbeat,
    pollMs: options.pollMs,
    onError: options.onError,
    onWarning: options.onWarning,
    quotas,
  });
}

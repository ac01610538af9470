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
import { parseQueueOptions, type QueueOptions } from "./options-schema.ts";
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
  type EmailRoute,
} from "./settings.ts";
export type { EmailSettings } from "./email-settings-schema.ts";
export { TokenBuckets } from "./token-bucket.ts";
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
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  parseQueueOptions,
  QUEUE_RANGES,
  type QueueOptions,
  queueOptionsSchema,
} from "./options-schema.ts";
export { queuedRunIdOf, queuedRunStates, type QueuedRunState } from "./read-runs.ts";

/**
 * Opens the queue in the store's database, reached through the store's queue-storage port only.
 *
 * @throws RuntimeError bad_request naming the first bad option (options-schema.ts)
 */
export async function openQueue(store: QueueStoragePort, raw: QueueOptions = {}): Promise<Queue> {
  const options = parseQueueOptions(raw);
  const { concurrency, lockTimeoutMs } = options;
  const storage = store.queueStorage;
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

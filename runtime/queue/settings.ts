/**
 * An app's queue settings from settings/index.ts, checked when the app is built:
 *
 *   export default {
 *     vars: { ... },
 *     schedules: [{ action: "nightly_sync", cron: "0 0 2 * * *", records: "new", backfill: true }],
 *     webhooks: [{ action: "payment_received", secret: "COMIND_SECRET_PAY_HOOK" }],
 *     retries: { maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 3600000 },
 *     quotas: { pendingPerUser: 100, ratePerUser: 5 },   // stricter than the server's (quota-limits.ts)
 *   };
 *
 * Cron has 5 fields or 6 with seconds first (croner syntax), evaluated in UTC.
 */
import { Cron } from "croner";
import { RuntimeError } from "../errors.ts";
import { parseRlx } from "../rlx/index.ts";
import { parseAppQuotas, type QuotaLimits } from "./quota-limits.ts";

export interface ScheduleSpec {
  /** Stable name of the schedule across nodes: app, position, action and cron. */
  id: string;
  action: string;
  cron: string;
  /** "new": the action runs on a new record each tick; otherwise an rlx filter of records. */
  records: string;
  /** After downtime: true runs the latest missed tick once; false only reports the missed ticks. */
  backfill: boolean;
}

export interface WebhookSpec {
  action: string;
  /** The COMIND_SECRET_* whose value signs the hook's requests (HMAC-SHA256). */
  secret: string;
}

export interface RetrySettings {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface QueueSettings {
  schedules: ScheduleSpec[];
  webhooks: WebhookSpec[];
  retries: RetrySettings;
  /** The app's own enqueue quotas; each may only be stricter than the server's. */
  quotas: Partial<QuotaLimits>;
}

export const DEFAULT_RETRIES: RetrySettings = { maxAttempts: 5, backoffMs: 1_000, maxBackoffMs: 3_600_000 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function invalid(alias: string, message: string): RuntimeError {
  return new RuntimeError("app_invalid", `App ${alias}: settings/index.ts ${message}`);
}

function listOf(raw: Record<string, unknown>, key: string, alias: string): Record<string, unknown>[] {
  const value = raw[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject))
    throw invalid(alias, `"${key}" must be an array of objects.`);
  return value;
}

function checkAction(action: unknown, where: string, alias: string, actions: Set<string>): string {
  if (typeof action !== "string" || !actions.has(action))
    throw invalid(alias, `${where}: action ${JSON.stringify(action)} is not an action of the app.`);
  return action;
}

export function checkCron(cron: unknown, where: string, alias: string): string {
  if (typeof cron !== "string") throw invalid(alias, `${where}: "cron" must be a string like "*/5 * * * *".`);
  try {
    new Cron(cron, { paused: true, timezone: "UTC" });
  } catch (error) {
    throw invalid(alias, `${where}: cron "${cron.slice(0, 100)}" is not valid: ${(error as Error).message}`);
  }
  return cron;
}

function schedulesOf(raw: Record<string, unknown>, alias: string, actions: Set<string>): ScheduleSpec[] {
  return listOf(raw, "schedules", alias).map((item, index) => {
    const where = `schedules[${index}]`;
    const action = checkAction(item.action, where, alias, actions);
    const cron = checkCron(item.cron, where, alias);
    const records = item.records ?? "new";
    if (typeof records !== "string")
      throw invalid(alias, `${where}: "records" must be "new" or an rlx filter.`);
    if (records !== "new") {
      try {
        parseRlx(records, { currentUser: "scheduler" });
      } catch (error) {
        throw invalid(alias, `${where}: records filter is not valid rlx: ${(error as Error).message}`);
      }
    }
    if (item.backfill !== undefined && typeof item.backfill !== "boolean")
      throw invalid(alias, `${where}: "backfill" must be true or false.`);
    return {
      id: `${alias}:${index}:${action}:${cron}`,
      action,
      cron,
      records,
      backfill: item.backfill === true,
    };
  });
}

function webhooksOf(raw: Record<string, unknown>, alias: string, actions: Set<string>): WebhookSpec[] {
  return listOf(raw, "webhooks", alias).map((item, index) => {
    const where = `webhooks[${index}]`;
    const action = checkAction(item.action, where, alias, actions);
    if (typeof item.secret !== "string" || !/^COMIND_SECRET_[A-Z0-9_]+$/.test(item.secret))
      throw invalid(alias, `${where}: "secret" must name a COMIND_SECRET_* variable.`);
    return { action, secret: item.secret };
  });
}

function retriesOf(raw: Record<string, unknown>, alias: string): RetrySettings {
  if (raw.retries === undefined) return DEFAULT_RETRIES;
  if (!isObject(raw.retries)) throw invalid(alias, `"retries" must be an object.`);
  const number = (key: keyof RetrySettings, min: number, max: number) => {
    const value = (raw.retries as Record<string, unknown>)[key] ?? DEFAULT_RETRIES[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      throw invalid(alias, `retries.${key} must be a whole number from ${min} to ${max}.`);
    return value;
  };
  return {
    maxAttempts: number("maxAttempts", 1, 100),
    backoffMs: number("backoffMs", 0, 86_400_000),
    maxBackoffMs: number("maxBackoffMs", 0, 7 * 86_400_000),
  };
}

/** Reads and checks the queue part of an app's settings; a mistake fails the build. */
export function parseQueueSettings(raw: unknown, alias: string, actions: Set<string>): QueueSettings {
  const settings = isObject(raw) ? raw : {};
  return {
    schedules: schedulesOf(settings, alias, actions),
    webhooks: webhooksOf(settings, alias, actions),
    retries: retriesOf(settings, alias),
    quotas: parseAppQuotas(settings.quotas, alias),
  };
}

/** Delay before attempt `attempt + 1`: exponential from `backoffMs`, capped. */
export function backoffMs(retries: RetrySettings, attempt: number): number {
  return Math.min(retries.backoffMs * 2 ** Math.max(attempt - 1, 0), retries.maxBackoffMs);
}

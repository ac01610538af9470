/**
 * The numbers of the enqueue quotas (issue 22): how many runs a user and an app may have pending
 * (queued or running), and how fast they may enqueue (token buckets). The server's options set
 * them for every app; an app's `quotas` in settings/index.ts may only make its own stricter.
 *
 *   export default { quotas: { pendingPerUser: 100, ratePerUser: 5, burstPerUser: 20 } };
 */
import { RuntimeError } from "../errors.ts";

export interface QuotaLimits {
  /** Queued + running runs one user may have in one app. */
  pendingPerUser: number;
  /** Queued + running runs of one app, all users together. */
  pendingPerApp: number;
  /** Enqueues per second one user may make in one app (the bucket's refill rate)... */
  ratePerUser: number;
  /** ...and at once after a quiet spell (the bucket's size). */
  burstPerUser: number;
  ratePerApp: number;
  burstPerApp: number;
}

/**
 * Far above what an app used by people makes (a click enqueues a few runs; a mass action at most
 * 100 per action), low enough that one client's loop cannot bury a node: 24,000 runs in 6 s
 * (issue 22) is 4,000/s, stopped after the 200 burst; 1,000 pending is minutes of work for a
 * node, 10,000 pending the ceiling for one app's backlog.
 */
export const DEFAULT_QUOTAS: Readonly<QuotaLimits> = {
  pendingPerUser: 1_000,
  pendingPerApp: 10_000,
  ratePerUser: 50,
  burstPerUser: 200,
  ratePerApp: 200,
  burstPerApp: 1_000,
};

/** Allowed ranges, for the CLI options and the app settings alike. */
export const QUOTA_RANGES: Record<keyof QuotaLimits, { min: number; max: number; whole: boolean }> = {
  pendingPerUser: { min: 1, max: 10_000_000, whole: true },
  pendingPerApp: { min: 1, max: 10_000_000, whole: true },
  ratePerUser: { min: 0.001, max: 1_000_000, whole: false },
  burstPerUser: { min: 1, max: 10_000_000, whole: true },
  ratePerApp: { min: 0.001, max: 1_000_000, whole: false },
  burstPerApp: { min: 1, max: 10_000_000, whole: true },
};

export const QUOTA_KEYS = Object.keys(DEFAULT_QUOTAS) as (keyof QuotaLimits)[];

/** Why `value` is not a valid `key`, or null when it is. */
export function quotaValueProblem(key: keyof QuotaLimits, value: unknown): string | null {
  const range = QUOTA_RANGES[key];
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < range.min ||
    value > range.max ||
    (range.whole && !Number.isInteger(value))
  )
    return `must be ${range.whole ? "a whole number" : "a number"} from ${range.min} to ${range.max.toLocaleString("en-US")}`;
  return null;
}

/** The `quotas` object of an app's settings/index.ts; a mistake fails the build. */
export function parseAppQuotas(raw: unknown, alias: string): Partial<QuotaLimits> {
  if (raw === undefined) return {};
  const invalid = (message: string) =>
    new RuntimeError("app_invalid", `App ${alias}: settings/index.ts quotas${message}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid(" must be an object like { pendingPerUser: 100, ratePerUser: 5 }.");
  const quotas: Partial<QuotaLimits> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(QUOTA_KEYS as string[]).includes(key))
      throw invalid(`.${key.slice(0, 40)} is not a quota; use ${QUOTA_KEYS.join(", ")}.`);
    const problem = quotaValueProblem(key as keyof QuotaLimits, value);
    if (problem) throw invalid(`.${key} ${problem}.`);
    quotas[key as keyof QuotaLimits] = value as number;
  }
  return quotas;
}

/** An app's limits: the server's, made stricter (never looser) by the app's own settings. */
export function effectiveLimits(server: QuotaLimits, app: Partial<QuotaLimits> | undefined): QuotaLimits {
  if (!app) return server;
  const limits = { ...server };
  for (const key of QUOTA_KEYS) if (app[key] !== undefined) limits[key] = Math.min(server[key], app[key]);
  return limits;
}

/**
 * The numbers of the enqueue quotas (issue 22): how many runs a user and an app may have pending
 * (queued or running), and how fast they may enqueue (token buckets). The server's options set
 * them for every app; an app's `quotas` in settings/index.ts may only make its own stricter.
 * One zod schema checks both, against QUOTA_RANGES; QuotaLimits is inferred from it.
 *
 *   export default { quotas: { pendingPerUser: 100, ratePerUser: 5, burstPerUser: 20 } };
 */
import { z } from "zod";
import { numberIn, parseConfig } from "../config-schema.ts";

/** Allowed ranges, for the CLI options, the server's options and the app settings alike. */
export const QUOTA_RANGES = {
  pendingPerUser: { min: 1, max: 10_000_000, whole: true },
  pendingPerApp: { min: 1, max: 10_000_000, whole: true },
  ratePerUser: { min: 0.001, max: 1_000_000, whole: false },
  burstPerUser: { min: 1, max: 10_000_000, whole: true },
  ratePerApp: { min: 0.001, max: 1_000_000, whole: false },
  burstPerApp: { min: 1, max: 10_000_000, whole: true },
} as const;

export const quotaLimitsSchema = z.strictObject(
  {
    /** Queued + running runs one user may have in one app. */
    pendingPerUser: numberIn(QUOTA_RANGES.pendingPerUser),
    /** Queued + running runs of one app, all users together. */
    pendingPerApp: numberIn(QUOTA_RANGES.pendingPerApp),
    /** Enqueues per second one user may make in one app (the bucket's refill rate)... */
    ratePerUser: numberIn(QUOTA_RANGES.ratePerUser),
    /** ...and at once after a quiet spell (the bucket's size). */
    burstPerUser: numberIn(QUOTA_RANGES.burstPerUser),
    ratePerApp: numberIn(QUOTA_RANGES.ratePerApp),
    burstPerApp: numberIn(QUOTA_RANGES.burstPerApp),
  },
  { error: "must be an object like { pendingPerUser: 100, ratePerUser: 5 }" },
);

export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;

/** Some of the quotas: the server's options, an app's `quotas`; an unset one keeps its default. */
export const quotaOverridesSchema = quotaLimitsSchema.partial();

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

export const QUOTA_KEYS = Object.keys(DEFAULT_QUOTAS) as (keyof QuotaLimits)[];

/** The server's quotas (openQueue's `quotas`), checked: a bad one is a bad_request naming it. */
export function parseServerQuotas(raw: unknown = {}): Partial<QuotaLimits> {
  return parseConfig(quotaOverridesSchema, raw, "bad_request", "quotas");
}

/** An app's limits: the server's, made stricter (never looser) by the app's own settings. */
export function effectiveLimits(server: QuotaLimits, app: Partial<QuotaLimits> | undefined): QuotaLimits {
  if (!app) return server;
  const limits = { ...server };
  for (const key of QUOTA_KEYS) if (app[key] !== undefined) limits[key] = Math.min(server[key], app[key]);
  return limits;
}

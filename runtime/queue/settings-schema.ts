/**
 * The schema of an app's settings/index.ts (vars, schedules, webhooks, retries, quotas, email), checked
 * when the app is built: one zod schema per app (it needs the app's action names), the types
 * inferred from it. A mistake fails the build with app_invalid naming the setting and its value;
 * an unknown key in a schedule, webhook, retries or quotas (a typo) is refused, not ignored.
 */
import { Cron } from "croner";
import { z } from "zod";
import { numberIn } from "../config-schema.ts";
import { parseRlx } from "../rlx/index.ts";
import { emailSettingsSchema } from "./email-settings-schema.ts";
import { quotaOverridesSchema } from "./quota-limits.ts";

const MS_PER_DAY = 86_400_000;

/** Accepted ranges of `retries`. */
export const RETRY_RANGES = {
  maxAttempts: { min: 1, max: 100, whole: true },
  backoffMs: { min: 0, max: MS_PER_DAY, whole: true },
  maxBackoffMs: { min: 0, max: 7 * MS_PER_DAY, whole: true },
} as const;

export const DEFAULT_RETRIES = { maxAttempts: 5, backoffMs: 1_000, maxBackoffMs: 3_600_000 } as const;

/** Why `cron` is not a valid croner pattern (5 fields, or 6 with seconds first), or null. */
export function cronProblem(cron: string): string | null {
  try {
    new Cron(cron, { paused: true, timezone: "UTC" });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function rlxProblem(filter: string): string | null {
  try {
    parseRlx(filter, { currentUser: "scheduler" });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const cronSchema = z.string({ error: 'must be a string like "*/5 * * * *"' }).superRefine((cron, ctx) => {
  const problem = cronProblem(cron);
  if (problem) ctx.addIssue({ code: "custom", message: `is not valid: ${problem}` });
});

const recordsSchema = z
  .string({ error: 'must be "new" or an rlx filter' })
  .superRefine((records, ctx) => {
    const problem = records === "new" ? null : rlxProblem(records);
    if (problem) ctx.addIssue({ code: "custom", message: `is not valid rlx: ${problem}` });
  })
  .default("new");

export const retrySettingsSchema = z.strictObject(
  {
    maxAttempts: numberIn(RETRY_RANGES.maxAttempts).default(DEFAULT_RETRIES.maxAttempts),
    backoffMs: numberIn(RETRY_RANGES.backoffMs).default(DEFAULT_RETRIES.backoffMs),
    maxBackoffMs: numberIn(RETRY_RANGES.maxBackoffMs).default(DEFAULT_RETRIES.maxBackoffMs),
  },
  { error: "must be an object like { maxAttempts: 5, backoffMs: 1000 }" },
);

export type RetrySettings = z.infer<typeof retrySettingsSchema>;

/**
 * The settings of an app whose actions are `actions`; `emailActions` are those declared with
 * `invokeFromEmail: true` (the only ones the `email` block may name).
 */
export function appSettingsSchema(actions: Set<string>, emailActions: Set<string> = new Set()) {
  const action = z
    .string({ error: "must name an action of the app" })
    .refine((name) => actions.has(name), { error: "is not an action of the app" });
  const schedule = z.strictObject(
    {
      action,
      cron: cronSchema,
      /** "new": the action runs on a new record each tick; otherwise an rlx filter of records. */
      records: recordsSchema,
      /** After downtime: true runs the latest missed tick once; false only reports the missed ticks. */
      backfill: z.boolean({ error: "must be true or false" }).default(false),
    },
    { error: "must be an object like { action, cron }" },
  );
  const webhook = z.strictObject(
    {
      action,
      /** The COMIND_SECRET_* whose value signs the hook's requests (HMAC-SHA256). */
      secret: z
        .string({ error: "must name a COMIND_SECRET_* variable" })
        .regex(/^COMIND_SECRET_[A-Z0-9_]+$/, { error: "must name a COMIND_SECRET_* variable" }),
    },
    { error: "must be an object like { action, secret }" },
  );
  const list = <T extends z.ZodType>(item: T) =>
    z.array(item, { error: "must be an array of objects" }).default([]);
  return z.object({
    /** Values the logic reads as `settings.vars`. */
    vars: z.record(z.string(), z.unknown(), { error: "must be an object of values" }).default({}),
    schedules: list(schedule),
    webhooks: list(webhook),
    retries: retrySettingsSchema.default({ ...DEFAULT_RETRIES }),
    /** The app's own enqueue quotas; each may only be stricter than the server's. */
    quotas: quotaOverridesSchema.default({}),
    /** Incoming e-mail: addresses, catch-all routes, unknown senders, sender domains. */
    email: emailSettingsSchema(emailActions).default({
      addresses: {},
      routes: [],
      unknownSenders: "refuse",
      allowSenderDomains: [],
    }),
    /** Which runs of this app keep a recording for `replay` (over the server's --record-runs). */
    recordRuns: z.enum(["failed", "all", "off"], { error: 'must be "failed", "all" or "off"' }).optional(),
  });
}

export type AppSettings = z.infer<ReturnType<typeof appSettingsSchema>>;

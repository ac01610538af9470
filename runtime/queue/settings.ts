/**
 * An app's queue settings from settings/index.ts, checked when the app is built by the zod schema
 * of settings-schema.ts:
 *
 *   export default {
 *     vars: { ... },
 *     schedules: [{ action: "nightly_sync", cron: "0 0 2 * * *", records: "new", backfill: true }],
 *     webhooks: [{ action: "payment_received", secret: "COMIND_SECRET_PAY_HOOK" }],
 *     retries: { maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 3600000 },
 *     quotas: { pendingPerUser: 100, ratePerUser: 5 },   // stricter than the server's (quota-limits.ts)
 *     email: { routes: [{ to: "inbox", action: "from_email" }] }, // incoming e-mail (email-settings-schema.ts)
 *   };
 *
 * Cron has 5 fields or 6 with seconds first (croner syntax), evaluated in UTC.
 */
import { parseConfig } from "../config-schema.ts";
import { type AppSettings, appSettingsSchema, type RetrySettings } from "./settings-schema.ts";

export type ScheduleSpec = AppSettings["schedules"][number] & {
  /** Stable name of the schedule across nodes: app, position, action and cron. */
  id: string;
};

export type WebhookSpec = AppSettings["webhooks"][number];

export type EmailRoute = AppSettings["email"]["routes"][number];

export interface QueueSettings extends Omit<AppSettings, "schedules" | "vars"> {
  schedules: ScheduleSpec[];
}

/** Reads and checks the queue part of an app's settings; a mistake fails the build (app_invalid). */
export function parseQueueSettings(
  raw: unknown,
  alias: string,
  actions: Set<string>,
  emailActions: Set<string> = new Set(),
): QueueSettings {
  const settings = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {};
  const { vars: _vars, ...parsed } = parseConfig(
    appSettingsSchema(actions, emailActions),
    settings,
    "app_invalid",
    "",
    `App ${alias}: settings/index.ts `,
  );
  return {
    ...parsed,
    schedules: parsed.schedules.map((spec, index) => ({
      id: `${alias}:${index}:${spec.action}:${spec.cron}`,
      ...spec,
    })),
  };
}

/** Delay before attempt `attempt + 1`: exponential from `backoffMs`, capped. */
export function backoffMs(retries: RetrySettings, attempt: number): number {
  return Math.min(retries.backoffMs * 2 ** Math.max(attempt - 1, 0), retries.maxBackoffMs);
}

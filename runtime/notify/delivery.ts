/**
 * How e-mail goes out when the server has a job queue: each e-mail an action asks for is a queued
 * run of its own (`~mail`), written in the action's transaction (so it exists exactly when the
 * change does) and sent after the commit with retries and backoff. The action's answer never waits
 * for SMTP, and an SMTP server that is down or hangs delays the e-mail, not the action.
 */
import { isRuntimeError } from "../errors.ts";
import { RETRY_RANGES, type RetrySettings } from "../queue/index.ts";

/** The action name of an e-mail's queued run. */
export const MAIL_ACTION = "~mail";

/**
 * Longer than an action's default: an SMTP server restarted for maintenance must not lose mail.
 * 10 attempts from 5 s doubling to at most 10 min: ~35 min of trying before the run is dead.
 */
export const DEFAULT_MAIL_RETRIES: RetrySettings = {
  maxAttempts: 10,
  backoffMs: 5_000,
  maxBackoffMs: 600_000,
};
export const MAIL_RETRY_RANGES = {
  maxAttempts: RETRY_RANGES.maxAttempts,
  backoffMs: RETRY_RANGES.backoffMs,
} as const;

/**
 * Whether trying again later cannot help: a message this runtime refuses to make (a bad address in
 * NotifyContext) or one the SMTP server rejected for good (5xx, a refused envelope). A refused or
 * dropped connection, a timeout or a 4xx answer may go away.
 */
export function isPermanentMailError(error: unknown): boolean {
  if (isRuntimeError(error)) return error.code !== "storage_full" && error.code !== "store_unavailable";
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === "number") return responseCode >= 500;
  return code === "EENVELOPE" || code === "EMESSAGE";
}

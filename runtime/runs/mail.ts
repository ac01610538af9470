/**
 * The e-mails of a committed action (`__sendNotifications`). With a job queue each one becomes a
 * queued run (`~mail`, source "notification") written in the action's own transaction and sent by
 * a job with retries (runtime/notify/delivery.ts); without one they are sent right after the
 * commit, as before. Either way the action never fails because of an e-mail.
 */
import { activeTraceparent, tracer } from "../tracing.ts";
import type { ActionRequest, RuntimeConfig } from "../actions/index.ts";
import { LogCapture, type LogEntry } from "../host/index.ts";
import {
  type DeliveryContext,
  isPermanentMailError,
  MAIL_ACTION,
  type PendingNotification,
} from "../notify/index.ts";
import type { NewRun } from "../queue/index.ts";
import { backoffMs } from "../queue/index.ts";
import { type ErrorCode, isRuntimeError } from "../errors.ts";
import { newRunId } from "../run-id.ts";

/** The source of an e-mail's queued run; only the runtime writes it (never a client or logic). */
export const MAIL_SOURCE = "notification";

function deliveryContext(
  config: RuntimeConfig,
  logs: LogCapture,
  numberOf: (recordId: string) => number | null,
): DeliveryContext {
  return {
    store: config.store,
    logs,
    redact: config.redact,
    numberOf,
    captionsOf: (alias) =>
      new Map(config.app(alias).manifest.fields.map((field) => [field.name, field.caption ?? field.name])),
  };
}

/** The queued runs of an action's e-mails, to be written in its commit. */
export function mailRuns(
  config: RuntimeConfig,
  request: ActionRequest,
  parentRunId: string,
  notifications: PendingNotification[],
): NewRun[] {
  const { maxAttempts } = config.notifier.retries;
  return notifications.map((notification) => ({
    runId: newRunId(),
    workspace: config.workspace,
    app: notification.app,
    action: MAIL_ACTION,
    // No record queue: a slow SMTP server must not hold up the record's next action.
    values: { notification, parentRunId },
    caller: request.caller,
    source: MAIL_SOURCE,
    maxAttempts,
    // Tracing on: the e-mail's job span links back to the action that asked for it.
    traceparent: tracer() ? activeTraceparent() : undefined,
  }));
}

/** Sends right after the commit (no queue): outcomes go to `logs`; never throws. */
export async function sendNow(
  config: RuntimeConfig,
  notifications: PendingNotification[],
  logs: LogCapture,
  numberOf: (recordId: string) => number | null,
): Promise<void> {
  await config.notifier.deliver(notifications, deliveryContext(config, logs, numberOf));
}

export type MailAttempt =
  | { ok: true; logs: LogEntry[] }
  | {
      ok: false;
      logs: LogEntry[];
      error: { code: ErrorCode; message: string };
      /** null: trying again cannot help (a bad address, a 5xx answer) or the attempts are used up. */
      retryInMs: number | null;
    };

/** One attempt of a queued e-mail. */
export async function sendQueuedMail(
  config: RuntimeConfig,
  notification: PendingNotification,
  attempt: number,
  maxAttempts: number,
): Promise<MailAttempt> {
  const logs = new LogCapture(config.limits.maxLogBytes, config.redact);
  // The record as committed (the action's commit gave it its number).
  const record = await config.store.getRecord(config.workspace, notification.recordId);
  const ctx = deliveryContext(config, logs, (id) => (record && record.id === id ? record.number : null));
  try {
    await config.notifier.send(notification, ctx);
    return { ok: true, logs: logs.entries };
  } catch (error) {
    const permanent = isPermanentMailError(error);
    const retryInMs =
      permanent || attempt >= maxAttempts ? null : backoffMs(config.notifier.retries, attempt);
    config.notifier.notSent(notification, ctx, error, retryInMs ?? undefined);
    const message = config.redact(
      String((error as Error)?.message ?? error)
        .split("\n")[0]
        .slice(0, 300),
    );
    return {
      ok: false,
      logs: logs.entries,
      retryInMs,
      error: {
        code: isRuntimeError(error) ? error.code : permanent ? "validation_error" : "network_error",
        message: `E-mail not sent: ${message}`,
      },
    };
  }
}

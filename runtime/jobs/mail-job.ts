/**
 * One attempt of a queued e-mail (`~mail`, written in the commit of the action that asked for it):
 * sent, retried with backoff while SMTP is down or busy, failed at once when it can never be sent
 * (a bad address, a 5xx answer), dead when the attempts are used up. No action runs and no record
 * is written: the e-mail's action already committed.
 */
import type { ActionRuntime } from "../runs/index.ts";
import type { PendingNotification } from "../notify/index.ts";
import type { JobRef, Queue, StoredRun } from "../queue/index.ts";

export async function runMailJob(
  runtime: ActionRuntime,
  queue: Queue,
  run: StoredRun,
  job: JobRef,
): Promise<void> {
  const notification = run.spec.values?.notification as PendingNotification;
  const outcome = await runtime.sendQueuedMail(notification, job.attempt, run.maxAttempts);
  const result = { ok: outcome.ok, runId: run.runId, logs: outcome.logs, httpCalls: [] };
  const count = runtime.metrics.jobAttempt.bind(runtime.metrics, "mail");
  if (outcome.ok) {
    await queue.finish(run.runId, { status: "succeeded", result, error: null });
    count("succeeded");
    return;
  }
  if (outcome.retryInMs !== null) {
    await queue.retry(run.runId, job.attempt + 1, new Date(Date.now() + outcome.retryInMs), outcome.error);
    count("retried");
    return;
  }
  const gaveUp = job.attempt >= run.maxAttempts;
  await queue.finish(run.runId, {
    status: gaveUp ? "dead" : "failed",
    error: outcome.error,
    result: { ...result, error: outcome.error },
  });
  count(gaveUp ? "dead" : "failed");
}

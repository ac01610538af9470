/**
 * One attempt of a queued run: mark it running, run the action with the run's commit mark in its
 * transaction, then record the outcome — succeeded, retried with backoff (retryable errors and
 * ComindServer.retryLater), failed, or dead once the attempts are used up.
 */
import type { ActionResult } from "../actions/index.ts";
import { type ActionRuntime, MAIL_SOURCE, runDocument } from "../runs/index.ts";
import { MAIL_ACTION } from "../notify/index.ts";
import { runMailJob } from "./mail-job.ts";
import { traceJob } from "./job-span.ts";
import { inRun } from "../run-context.ts";
import { storedCaller } from "../access/index.ts";
import { isRetryable, isRuntimeError, type PublicError } from "../errors.ts";
import type { JobOutcome } from "../metrics/index.ts";
import { backoffMs, DEFAULT_RETRIES, type JobRef, type Queue } from "../queue/index.ts";

/**
 * `timeout` is retried when an outbound request timed out; an action that ran past its own CPU or
 * wall-clock limit would only do it again.
 */
function worthRetry(result: Extract<ActionResult, { ok: false }>): boolean {
  if (result.retry) return true;
  if (result.error.code === "timeout") return result.httpCalls.some((call) => call.error === "timeout");
  return isRetryable(result.error.code);
}

export async function runJob(runtime: ActionRuntime, queue: Queue, job: JobRef): Promise<void> {
  const run = await queue.start(job);
  const count = (outcome: JobOutcome) => runtime.metrics.jobAttempt("action", outcome);
  if (!run) return; // a stale job: the run finished, or a later attempt is queued
  if (run.committed) {
    await queue.finish(run.runId, { status: "succeeded" });
    count("succeeded");
    return;
  }
  // Only the runtime writes this source (an action's commit): a client or logic that queues an
  // action named "~mail" gets unknown_action when it is queued, and again here.
  if (run.source === MAIL_SOURCE && run.action === MAIL_ACTION)
    return inRun(run.runId, () => traceJob(run, job.attempt, () => runMailJob(runtime, queue, run, job)));
  const app = runtime.apps.get(run.app);
  if (!app?.actionUids.has(run.action)) {
    const error: PublicError = {
      code: "unknown_action",
      message: `${run.app} ${run.action} is not installed on this node.`,
    };
    await queue.finish(run.runId, {
      status: "failed",
      error,
      result: { ok: false, error, runId: run.runId },
    });
    count("failed");
    return;
  }
  let result: ActionResult;
  try {
    result = await traceJob(run, job.attempt, () =>
      runtime.run({
        app: run.app,
        action: run.action,
        recordId: run.spec.recordId,
        values: run.spec.values ?? {},
        // Authorized again now: rights revoked since it was queued fail it with `forbidden`.
        caller: storedCaller(run.spec),
        source: run.source,
        job: { runId: run.runId, attempt: job.attempt, request: run.spec.request ?? null },
      }),
    );
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    const failure: PublicError = { code: error.code, message: error.message };
    await queue.finish(run.runId, {
      status: "failed",
      error: failure,
      result: { ok: false, error: failure },
    });
    count("failed");
    return;
  }
  if (result.ok) {
    await queue.finish(run.runId, { status: "succeeded", result: runDocument(result), error: null });
    count("succeeded");
    return;
  }
  // The commit mark says an earlier attempt (on a node that died after committing) already applied it.
  if ((await queue.getRun(run.runId))?.committed) {
    await queue.finish(run.runId, { status: "succeeded", error: null });
    count("succeeded");
    return;
  }
  const error: PublicError = result.retry
    ? { code: "retry_later", message: result.retry.reason || "ComindServer.retryLater" }
    : { code: result.error.code, message: result.error.message };
  const retryable = worthRetry(result);
  if (retryable && job.attempt < run.maxAttempts) {
    const delay = result.retry?.afterMs ?? backoffMs(app.queue.retries ?? DEFAULT_RETRIES, job.attempt);
    await queue.retry(run.runId, job.attempt + 1, new Date(Date.now() + delay), error);
    count("retried");
    return;
  }
  await queue.finish(run.runId, {
    status: retryable ? "dead" : "failed",
    error,
    result: runDocument(result),
  });
  count(retryable ? "dead" : "failed");
}

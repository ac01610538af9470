/**
 * Runs: the one front door for running an action. `ActionRuntime.run` authorizes the caller (the
 * one rule, also when a queued run runs), prepares the record, runs the logic (actions/), commits
 * everything in one transaction with its commit key and the queue's steps, sends the
 * notifications after the commit, and logs the run; `runDocument` is the one shape of its answer.
 * It owns idempotency (idempotency.ts): a client's key is an option of `run`, `enqueue` and
 * `answerOnce` (batches), so every way in replays a retry without remembering to.
 *
 * @example
 *   const runtime = await createActionRuntime({ store });
 *   await runtime.loadApp("apps/app-crm-contact");
 *   const result = await runtime.run({ app: "CONTACT", action: "sync_contacts", caller: asDeveloper() });
 */
export { ActionRuntime, createActionRuntime } from "./runtime.ts";
export {
  parseRuntimeOptions,
  RUNTIME_RANGES,
  runtimeOptionsSchema,
  type RuntimeOptions,
} from "./options-schema.ts";
export { runDocument, type RunDocument } from "./run-document.ts";
export { MAIL_SOURCE, type MailAttempt } from "./mail.ts";
export {
  Admission,
  ADMISSION_RANGES,
  type AdmissionOptions,
  DEFAULT_ADMISSION,
  OVERLOADED_RETRY_AFTER_SECONDS,
} from "./admission.ts";
export type { Answer, Idempotency, ItemKey, OnceAnswer } from "./idempotency.ts";
export type { QueuedRun, RunToQueue } from "./enqueue.ts";
export type { RunRequest, RunResult } from "./request.ts";
export {
  type OutcomeDifference,
  parseRecording,
  type ReplayOptions,
  type ReplayReport,
} from "./replay.ts";

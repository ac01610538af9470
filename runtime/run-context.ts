/**
 * The run a piece of host work belongs to, for the server log: every log line written while a run
 * is on carries its `runId` (and, when tracing is on, the active span's `traceId` and `spanId`),
 * so a run's lines can be found from GET /api/runs/{id} or from its trace, and the other way round.
 *
 * @example
 *   await inRun(runId, () => work()); // pino({ mixin: logContext }) adds { runId } to its lines
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { trace } from "@opentelemetry/api";
import { tracer } from "./tracing.ts";

const runs = new AsyncLocalStorage<string>();

/** Runs `work` as part of run `runId` (its async continuations included). */
export function inRun<T>(runId: string, work: () => T): T {
  return runs.run(runId, work);
}

/** `report` bound to the current run (for callbacks invoked outside its async scope). */
export function inThisRun<A extends unknown[]>(report: (...args: A) => void): (...args: A) => void {
  const runId = runs.getStore();
  return runId ? (...args) => runs.run(runId, () => report(...args)) : report;
}

/** The id of the run the current host work belongs to, if any. */
export function currentRunId(): string | undefined {
  return runs.getStore();
}

/** The fields a log line gets from where it is written: a pino `mixin` (pino adds to the object it returns). */
export function logContext(): Record<string, string> {
  const runId = runs.getStore();
  const span = tracer() ? trace.getActiveSpan()?.spanContext() : undefined;
  const fields: Record<string, string> = {};
  if (runId) fields.runId = runId;
  if (span) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

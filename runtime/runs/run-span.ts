/**
 * A run as the server log and the trace see it: its work is marked with its run id (log lines
 * carry `runId`), and when tracing is on it is one span `action <APP>.<action>` — a child of the
 * active span (the REST request, or the queued job) — with child spans for loading the record and
 * for the commit. Tracing off: one AsyncLocalStorage scope per run and nothing else.
 */
import { SpanKind } from "@opentelemetry/api";
import type { ActionRequest, ActionResult, RuntimeConfig } from "../actions/index.ts";
import { currentRunId, inRun } from "../run-context.ts";
import { activeTraceparent, ATTR, failSpan, inSpan, setKnown, tracer } from "../tracing.ts";

/** Semantic-convention name of each store engine (`db.system.name`). */
const DB_SYSTEM = { sqlite: "sqlite", postgres: "postgresql" } as const;

/** The app's alias as installed (clients may write it in any case); what was sent, bounded, when unknown. */
function installedAlias(config: RuntimeConfig, alias: string): string {
  try {
    return config.app(alias).alias;
  } catch {
    return alias.slice(0, 64); // the run fails unknown_app; the span name must not grow with the input
  }
}

/** Runs one action as run `runId`: in its log scope and, tracing on, in its span. */
export function observeRun(
  config: RuntimeConfig,
  request: ActionRequest,
  runId: string,
  work: () => Promise<ActionResult>,
): Promise<ActionResult> {
  const t = tracer();
  if (!t) return inRun(runId, work);
  const app = installedAlias(config, request.app);
  const action = request.action.slice(0, 64);
  const name = `action ${app}.${action}`;
  return inSpan(t, name, { kind: SpanKind.INTERNAL }, async (span) => {
    setKnown(span, {
      [ATTR.runId]: runId,
      [ATTR.app]: app,
      [ATTR.action]: action,
      [ATTR.recordId]: request.recordId,
      [ATTR.source]: request.source ?? (request.job ? "queue" : "api"),
      [ATTR.attempt]: request.job?.attempt,
      [ATTR.workspace]: config.workspace,
    });
    const result = await inRun(runId, work);
    setKnown(span, {
      [ATTR.recordId]: result.recordId,
      [ATTR.outcome]: result.ok ? "ok" : result.error.code,
    });
    if (!result.ok) failSpan(span, result.error.code);
    return result;
  });
}

function storeSpan<T>(config: RuntimeConfig, operation: string, work: () => Promise<T>): Promise<T> {
  const t = tracer();
  if (!t) return work();
  const attributes = {
    "db.system.name": DB_SYSTEM[config.store.kind],
    "db.operation.name": operation,
    [ATTR.runId]: currentRunId() ?? "",
  };
  return inSpan(t, `store ${operation}`, { kind: SpanKind.CLIENT, attributes }, work);
}

/** The store read of the record(s) the action runs on. */
export function traceLoad<T>(config: RuntimeConfig, work: () => Promise<T>): Promise<T> {
  return storeSpan(config, "load record", work);
}

/** The action's one transaction: records, files, history, run log, queued runs. */
export function traceCommit<T>(config: RuntimeConfig, work: () => Promise<T>): Promise<T> {
  return storeSpan(config, "commit", work);
}

/**
 * Queuing run `runId` (REST async, webhooks): tracing on, a PRODUCER span `enqueue <APP>.<action>`
 * whose traceparent goes into the queued run, so the run's span links back to it.
 */
export function traceEnqueue<T>(
  app: string,
  action: string,
  runId: string,
  work: (runId: string, traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  const t = tracer();
  if (!t) return work(runId, undefined);
  const attributes = { [ATTR.app]: app, [ATTR.action]: action, [ATTR.runId]: runId };
  return inSpan(t, `enqueue ${app}.${action}`, { kind: SpanKind.PRODUCER, attributes }, () =>
    work(runId, activeTraceparent()),
  );
}

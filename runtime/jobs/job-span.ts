/**
 * One attempt of a queued run as a trace (tracing on): a CONSUMER span `job <APP>.<action>` that
 * starts a trace of its own — a run may wait minutes or retry for hours, longer than anyone keeps
 * a request's trace open — linked to the span that queued it (the REST request's `enqueue` span,
 * or the host call of the logic that called ComindServer.enqueue), whose traceparent the run
 * carries in its stored spec. The run's `action` span is its child.
 */
import { ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import type { StoredRun } from "../queue/index.ts";
import { ATTR, inSpan, linksTo, tracer } from "../tracing.ts";

export function traceJob<T>(run: StoredRun, attempt: number, work: () => Promise<T>): Promise<T> {
  const t = tracer();
  if (!t) return work();
  return inSpan(
    t,
    `job ${run.app}.${run.action}`,
    {
      kind: SpanKind.CONSUMER,
      links: linksTo(run.spec.traceparent),
      attributes: {
        [ATTR.app]: run.app,
        [ATTR.action]: run.action,
        [ATTR.runId]: run.runId,
        [ATTR.attempt]: attempt,
        [ATTR.source]: run.source,
      },
    },
    work,
    ROOT_CONTEXT,
  );
}

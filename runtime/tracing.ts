/**
 * Traces of requests and runs (OpenTelemetry API only; cli/tracing.ts starts the SDK and hands its
 * tracer to `useTracer`). Off by default: then `tracer()` is null and every caller skips its span
 * work behind that one check — no span objects, no context switches on the hot path.
 *
 * Spans never carry what may hold a secret: no full URL, query string, header or record value.
 *
 * @example
 *   const t = tracer();
 *   return t ? inSpan(t, "commit", { attributes }, () => commit()) : commit();
 */
import {
  type Attributes,
  type Context,
  context,
  createTraceState,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorage } from "node:async_hooks";
import { isRuntimeError } from "./errors.ts";

let current: Tracer | null = null;
/** Set inside `untraced`: there `tracer()` is null whatever the process's tracer. */
const untracedScope = new AsyncLocalStorage<true>();

/** Turns tracing on (a tracer) or off (null). */
export function useTracer(next: Tracer | null): void {
  current = next;
}

/** The tracer when tracing is on (and the caller is not `untraced`), else null. */
export function tracer(): Tracer | null {
  return current && !untracedScope.getStore() ? current : null;
}

/**
 * Runs `work`, and everything it starts, with tracing off while the rest of the process keeps it:
 * `serve`'s warm-up (cli/path-warm-up.ts) must not export spans of requests no one made.
 */
export function untraced<T>(work: () => T): T {
  return untracedScope.run(true, work);
}

/** Attribute names of the runtime's own (non-semantic-convention) facts, in one place. */
export const ATTR = {
  app: "comind.app",
  action: "comind.action",
  recordId: "comind.record.id",
  runId: "comind.run.id",
  source: "comind.run.source",
  outcome: "comind.outcome",
  attempt: "comind.job.attempt",
  hostCall: "comind.host.call",
  workspace: "comind.workspace",
} as const;

/** `error.type` of a failure: a registry code, never a message (messages may quote input). */
export function errorType(error: unknown): string {
  return isRuntimeError(error) ? error.code : "internal_error";
}

/** Marks a span failed with a code (`error.type`) and no message. */
export function failSpan(span: Span, code: string): void {
  span.setAttribute("error.type", code);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` in a new span, a child of `parent` (default: the active context), with that span
 * active inside; ends it when `work` settles, failed with the thrown error's code.
 */
export async function inSpan<T>(
  t: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = t.startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, errorType(error));
    throw error;
  } finally {
    span.end();
  }
}

/** Sets the attributes whose value is known (undefined and null are left out). */
export function setKnown(span: Span, attributes: Record<string, string | number | null | undefined>): void {
  const known: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value != null) known[key] = value;
  span.setAttributes(known);
}

// W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header): version-traceid-spanid-flags.
// Parsed here: the SDK's W3CTraceContextPropagator lives in @opentelemetry/core, not a dependency of ours.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The span context a `traceparent` header names, or undefined when it is malformed. */
export function parseTraceparent(header: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof header !== "string") return undefined;
  const match = TRACEPARENT.exec(header.trim());
  // Version ff is forbidden; version 00 has exactly four fields (later versions may add more).
  if (!match || match[1] === "ff" || (match[1] === "00" && match[5] !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId: match[2],
    spanId: match[3],
    traceFlags: Number.parseInt(match[4], 16) & 1,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return undefined;
  if (typeof tracestate === "string" && tracestate.length <= 512)
    spanContext.traceState = createTraceState(tracestate);
  return spanContext;
}

/** A context whose parent is the remote span a `traceparent` names (the root context when none). */
export function contextFromTraceparent(header: unknown, tracestate?: unknown): Context {
  const remote = parseTraceparent(header, tracestate);
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
}

/** The `traceparent` of the active span (to carry a trace into a queued job), or undefined. */
export function activeTraceparent(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 1).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** A link to the span a stored `traceparent` names (a queued run's enqueuer), when there is one. */
export function linksTo(traceparent: unknown): Link[] {
  const spanContext = parseTraceparent(traceparent);
  return spanContext ? [{ context: spanContext }] : [];
}

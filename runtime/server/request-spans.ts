/**
 * One SERVER span per HTTP request when tracing is on (runtime/tracing.ts): `<METHOD> <route>`,
 * continuing the client's trace when it sends a W3C `traceparent` header. The span is the active
 * one while the route runs, so a run the request starts is its child. Attributes follow the
 * semantic conventions: `http.request.method`, `http.route` (the route's pattern, never the path
 * or query as sent: they may carry ids and tokens), `http.response.status_code`, `url.scheme`.
 */
import { type Context, type Span, SpanKind, context, trace } from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { contextFromTraceparent, failSpan, tracer } from "../tracing.ts";

const spans = new WeakMap<FastifyRequest, { span: Span; context: Context }>();

/** The trace and span ids of a request's span, for its log line; undefined when tracing is off. */
export function requestTraceIds(request: FastifyRequest): { traceId: string; spanId: string } | undefined {
  const entry = spans.get(request);
  if (!entry) return undefined;
  const { traceId, spanId } = entry.span.spanContext();
  return { traceId, spanId };
}

function finish(request: FastifyRequest, statusCode: number | null, error?: string): void {
  const entry = spans.get(request);
  if (!entry) return;
  spans.delete(request);
  const route = request.routeOptions.url;
  if (route) {
    entry.span.setAttribute("http.route", route);
    entry.span.updateName(`${request.method} ${route}`);
  }
  if (statusCode !== null) entry.span.setAttribute("http.response.status_code", statusCode);
  if (error) failSpan(entry.span, error);
  else if (statusCode !== null && statusCode >= 500) failSpan(entry.span, String(statusCode));
  entry.span.end();
}

/** Installs the hooks when tracing is on at the time the server is created; else nothing. */
export function installRequestSpans(server: FastifyInstance): void {
  const t = tracer();
  if (!t) return;
  server.addHook("onRequest", (request, _reply, done) => {
    const parent = contextFromTraceparent(request.headers.traceparent, request.headers.tracestate);
    const span = t.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": request.method, "url.scheme": request.protocol },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    spans.set(request, { span, context: active });
    context.with(active, done);
  });
  // The body was read between onRequest and here, outside that context: enter it again for the route.
  server.addHook("preHandler", (request, _reply, done) => {
    const entry = spans.get(request);
    if (entry) context.with(entry.context, done);
    else done();
  });
  server.addHook("onResponse", (request, reply, done) => {
    finish(request, reply.statusCode);
    done();
  });
  server.addHook("onRequestAbort", (request, done) => {
    finish(request, null, "aborted");
    done();
  });
}

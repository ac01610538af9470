/**
 * The trace span of one outbound request of an action (tracing on only): a CLIENT span named by
 * its method, with the target host and port, the method and the status — semantic conventions
 * `server.address`, `server.port`, `http.request.method`, `http.response.status_code`. Never the
 * URL's path or query, nor a header: they may carry secrets (the run log keeps the path).
 */
import { type Span, SpanKind } from "@opentelemetry/api";
import type { HttpCallLog } from "../../store/index.ts";
import { currentRunId } from "../../run-context.ts";
import { ATTR, failSpan, setKnown, tracer } from "../../tracing.ts";

/** Methods the conventions name; any other is `_OTHER` (the logic may send any token). */
const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

/** A span for a request about to be sent, child of the active span; null when tracing is off. */
export function startHttpSpan(method: string): Span | null {
  const t = tracer();
  if (!t) return null;
  const known = KNOWN_METHODS.has(method) ? method : "_OTHER";
  return t.startSpan(known === "_OTHER" ? "HTTP" : known, {
    kind: SpanKind.CLIENT,
    attributes: { "http.request.method": known },
  });
}

/** Ends the span with what the call log says: host, status, the error's code. */
export function endHttpSpan(span: Span, url: URL | null, log: HttpCallLog): void {
  const defaultPort = url?.protocol === "https:" ? 443 : 80;
  setKnown(span, {
    "server.address": url?.hostname.replace(/^\[|\]$/g, ""),
    "server.port": url ? Number(url.port) || defaultPort : undefined,
    "http.response.status_code": log.status,
    [ATTR.runId]: currentRunId(),
  });
  if (log.error) failSpan(span, log.error);
  else if (log.status !== null && log.status >= 400) failSpan(span, String(log.status));
  span.end();
}

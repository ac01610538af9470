/**
 * The trace span of one outbound request of an action (tracing on only): a CLIENT span named by
 * its method, with the target host and port, the method and the status — semantic conventions
 * `server.address`, `server.port`, `http.request.method`, `http.response.status_code`. Never the
 * URL's path or query, nor a header: they may carry secrets (the run log keeps the path).
 */
import { context, type Span, SpanKind } from "@opentelemetry/api";
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
export function endHttpSpan(
  span: Span,
  url: URL | null,
  log: HttpCallLog,
  runId = currentRunId(),
  end?: number,
): void {
  const defaultPort = url?.protocol === "https:" ? 443 : 80;
  setKnown(span, {
    "server.address": url?.hostname.replace(/^\[|\]$/g, ""),
    "server.port": url ? Number(url.port) || defaultPort : undefined,
    "http.response.status_code": log.status,
    [ATTR.runId]: runId,
  });
  if (log.error) failSpan(span, log.error);
  else if (log.status !== null && log.status >= 400) failSpan(span, String(log.status));
  span.end(end);
}

/** The URL of a logged call's `host:port`, null when it is not one (e.g. redacted to `***`). */
function urlOfHost(host: string): URL | null {
  try {
    return new URL(`http://${host}`);
  } catch {
    return null;
  }
}

/**
 * Spans for the requests a sandbox worker process sent for this action (they come back as call
 * log entries, host/http/index.ts `adopt`): made afterwards from each entry's duration, children
 * of the span that was active where the action's HTTP client was made — the action — because
 * the entries arrive over IPC, outside the action's async context. Null when tracing is off.
 */
export function adoptedHttpSpans(): ((log: HttpCallLog) => void) | null {
  const t = tracer();
  if (!t) return null;
  const parent = context.active();
  const runId = currentRunId();
  return (log) => {
    const end = Date.now();
    const span = t.startSpan(
      KNOWN_METHODS.has(log.method) ? log.method : "HTTP",
      {
        kind: SpanKind.CLIENT,
        startTime: end - log.ms,
        attributes: { "http.request.method": KNOWN_METHODS.has(log.method) ? log.method : "_OTHER" },
      },
      parent,
    );
    endHttpSpan(span, urlOfHost(log.host), log, runId, end);
  };
}

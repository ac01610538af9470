/**
 * What the HTTP server does with slow or broken clients, set deliberately (see docs/operators.md,
 * "Reliability"): a request that is not answered in time gets its JSON answer and then its
 * connection closed, so a client trickling a body cannot keep sockets open; headers must arrive
 * within 10 s; malformed requests and oversized headers get the documented JSON error shape.
 */
import { STATUS_CODES, type ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { ErrorCode } from "../errors.ts";

export const HEADERS_TIMEOUT_MS = 10_000;
/** Idle keep-alive sockets: longer than the usual 60 s of load balancers, so they close first. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Node's own limits, as a backstop behind the route-level timer (which answers first). */
export function httpServerLimits(requestTimeoutMs: number): {
  http: ServerOptions;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
} {
  const backstopMs = requestTimeoutMs + 5_000;
  return {
    http: {
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, backstopMs),
      // How often Node checks the two timeouts (its default, 30 s, would let them run late).
      connectionsCheckingInterval: Math.min(5_000, requestTimeoutMs),
    },
    requestTimeout: backstopMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // A socket with no traffic at all for this long is closed.
    connectionTimeout: KEEP_ALIVE_TIMEOUT_MS + 5_000,
  };
}

function clientErrorAnswer(code: string | undefined): [number, ErrorCode, string] {
  if (code === "HPE_HEADER_OVERFLOW")
    return [
      431,
      "headers_too_large",
      "The request headers are larger than 16 KB; send fewer or shorter headers.",
    ];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return [408, "timeout", "The request was not received in time; send it again without pauses."];
  return [400, "bad_request", "The request is not valid HTTP."];
}

/** Errors Node's HTTP parser raises before fastify sees a request, in our JSON shape. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] = clientErrorAnswer(error.code);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Errors thrown into the logic by RestApi calls. They carry a `code` the logic can branch on and
 * a message naming the host and path (never the query string, which may carry secrets).
 */
import { RuntimeError, type ErrorCode } from "../../errors.ts";

export function httpError(code: ErrorCode, message: string): RuntimeError {
  return new RuntimeError(code, message);
}

/** "GET api.example.com/v1/contacts" — what a message may say about a request. */
export function describeTarget(method: string, url: URL): string {
  return `${method} ${url.host}${url.pathname}`;
}

/**
 * Errors that RestApi calls throw into the logic. The logic can catch them and branch on `code`;
 * the bridge passes code + message across (never a host stack). Messages say what to do and name
 * the request as "METHOD host/path" — never the query string, which may carry secrets.
 */
import { RuntimeError } from "../../errors.ts";

export type HttpErrorCode =
  | "egress_denied"
  | "invalid_url"
  | "bad_request"
  | "timeout"
  | "network_error"
  | "limit_exceeded"
  | "too_many_redirects";

export class HttpError extends RuntimeError {
  declare readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(code, message);
    this.name = "HttpError";
  }
}

/** "GET api.example.com:8443/v1/contacts": what a message or log may say about a request. */
export function describeTarget(method: string, url: URL): string {
  return `${method} ${url.host}${url.pathname}`;
}

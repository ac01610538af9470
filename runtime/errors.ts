/**
 * The error registry: every user-facing error has a stable `code`, an HTTP-ish `status`
 * and a message that says what to do. Host stacks, paths and secrets never go into these.
 *
 * @example
 *   throw new RuntimeError("unknown_action", `Action "${uid}" is not defined in app CONTACT.`);
 */
export const ERROR_CODES = {
  // raised by action logic or its limits
  logic_error: { status: 422, hint: "The action logic threw an error." },
  timeout: { status: 504, hint: "The action ran longer than its CPU or wall-clock limit." },
  out_of_memory: { status: 507, hint: "The action used more memory than its heap limit." },
  limit_exceeded: { status: 429, hint: "The action went over one of its limits." },
  precondition_failed: { status: 403, hint: "The action's precondition is false for this record." },
  validation_error: { status: 400, hint: "A field value does not match the app's field type." },
  conflict: { status: 409, hint: "The record changed while the action ran; retry the action." },
  store_busy: { status: 503, hint: "Another process holds the data store's write lock; retry shortly." },
  egress_denied: {
    status: 403,
    hint: "An outbound request went to a host the egress policy refuses; an admin can allow it with --allow-host.",
  },
  network_error: { status: 502, hint: "An outbound request failed before a response arrived." },
  invalid_url: { status: 400, hint: "An outbound request had an invalid URL." },
  too_many_redirects: { status: 502, hint: "An outbound request was redirected too many times." },
  worker_crashed: { status: 500, hint: "The worker running the action died; the action wrote nothing." },
  resource_exhausted: {
    status: 503,
    hint: "The server had no room (isolate memory) for the action before its deadline; it wrote nothing. Retry shortly.",
  },
  // raised before any logic runs
  build_error: { status: 400, hint: "The app's logic could not be bundled." },
  app_invalid: { status: 400, hint: "The app folder is not a valid Comind app." },
  unknown_app: { status: 404, hint: "No such app." },
  unknown_action: { status: 404, hint: "No such action in the app." },
  not_found: { status: 404, hint: "No such record or file." },
  bad_request: { status: 400, hint: "The request is malformed." },
  unauthorized: { status: 401, hint: "Missing or invalid credentials." },
  forbidden: { status: 403, hint: "The caller may not do this." },
  payload_too_large: { status: 413, hint: "The request body is larger than the limit." },
  headers_too_large: { status: 431, hint: "The request headers are larger than the limit." },
  idempotency_mismatch: {
    status: 422,
    hint: "The Idempotency-Key was already used for a different request; use a new key.",
  },
  // the database or the server itself is (for now) not able to answer; retry after Retry-After
  store_unavailable: { status: 503, hint: "The database is not reachable right now; retry shortly." },
  commit_unknown: {
    status: 503,
    hint: "The database connection dropped while the change was being committed; check GET /api/runs/{runId}.",
  },
  shutting_down: { status: 503, hint: "The server is shutting down; retry on another instance." },
  internal_error: { status: 500, hint: "An unexpected error; see the server log." },
  // the job queue (runtime/queue)
  queue_unavailable: { status: 503, hint: "This run has no job queue; start the server with `serve`." },
  retry_later: { status: 503, hint: "The action asked to be retried later (ComindServer.retryLater)." },
  rate_limited: {
    status: 429,
    hint: "Too many queued runs or enqueues for this user or app; wait Retry-After seconds, or let queued runs finish.",
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error whose code and message are safe to show to users as they are. */
export class RuntimeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds a client should wait before retrying (sent as Retry-After); set by `rate_limited`. */
  retryAfterSeconds?: number;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "RuntimeError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

export function isRuntimeError(value: unknown): value is RuntimeError {
  return value instanceof RuntimeError;
}

/** Shape an error for output: code + message only, never a host stack. */
export function publicError(error: unknown): { code: ErrorCode; message: string } {
  if (isRuntimeError(error)) return { code: error.code, message: error.message };
  return { code: "internal_error", message: ERROR_CODES.internal_error.hint };
}

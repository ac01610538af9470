/**
 * The error registry: every user-facing error has a stable `code`, an HTTP-ish `status`
 * and a message that says what to do. Host stacks, paths and secrets never go into these.
 * It is the one place for each code's facts: the routes, the queue and the sandbox ask the
 * helpers below instead of keeping their own lists of codes.
 *
 * @example
 *   throw new RuntimeError("unknown_action", `Action "${uid}" is not defined in app CONTACT.`);
 */

/** What the runtime knows about one error code. */
export interface ErrorFacts {
  /** The HTTP status of an answer with this code. */
  readonly status: number;
  /** What the code means for users (and the message when there is nothing more specific). */
  readonly hint: string;
  /**
   * Worth another attempt of a queued run: the cause is outside the logic and may go away
   * (`timeout` is retried only when an outbound request timed out: runtime/queue/run-job.ts).
   */
  readonly retryable?: true;
  /** Answered with Retry-After: a later attempt of the same request may succeed. */
  readonly retryAfter?: true;
  /**
   * The database is away or full, or a commit's outcome is unknown: the request as a whole must be retried
   * (a tickets/multi batch stops here with 503 instead of listing the item as failed).
   */
  readonly unavailable?: true;
  /** A host error that keeps its code when the logic does not catch it (else it is logic_error). */
  readonly throughLogic?: true;
}

const REGISTRY = {
  // raised by action logic or its limits
  logic_error: { status: 422, hint: "The action logic threw an error." },
  timeout: {
    status: 504,
    throughLogic: true,
    hint: "The action ran longer than its CPU or wall-clock limit.",
  },
  out_of_memory: { status: 507, hint: "The action used more memory than its heap limit." },
  limit_exceeded: { status: 429, throughLogic: true, hint: "The action went over one of its limits." },
  precondition_failed: {
    status: 403,
    throughLogic: true,
    hint: "The action's precondition is false for this record.",
  },
  validation_error: {
    status: 400,
    throughLogic: true,
    hint: "A field value does not match the app's field type.",
  },
  conflict: {
    status: 409,
    retryable: true,
    throughLogic: true,
    hint: "The record changed while the action ran; retry the action.",
  },
  store_busy: {
    status: 503,
    retryAfter: true,
    hint: "Another process holds the data store's write lock; retry shortly.",
  },
  egress_denied: {
    status: 403,
    throughLogic: true,
    hint: "An outbound request went to a host the egress policy refuses; an admin can allow it with --allow-host.",
  },
  network_error: {
    status: 502,
    retryable: true,
    throughLogic: true,
    hint: "An outbound request failed before a response arrived.",
  },
  invalid_url: { status: 400, throughLogic: true, hint: "An outbound request had an invalid URL." },
  too_many_redirects: {
    status: 502,
    throughLogic: true,
    hint: "An outbound request was redirected too many times.",
  },
  worker_crashed: {
    status: 500,
    retryable: true,
    hint: "The worker running the action died; the action wrote nothing.",
  },
  resource_exhausted: {
    status: 503,
    retryAfter: true,
    hint: "The server had no room (isolate memory) for the action before its deadline; it wrote nothing. Retry shortly.",
  },
  // raised before any logic runs
  build_error: { status: 400, hint: "The app's logic could not be bundled." },
  app_invalid: { status: 400, hint: "The app folder is not a valid Comind app." },
  unknown_app: { status: 404, hint: "No such app." },
  unknown_action: { status: 404, hint: "No such action in the app." },
  replay_mismatch: {
    status: 409,
    throughLogic: true,
    hint: "A replayed run made a host call the recording does not have at that point (the code changed); the replay reports both sides, or use --live.",
  },
  not_found: { status: 404, throughLogic: true, hint: "No such record or file." },
  bad_request: { status: 400, hint: "The request is malformed." },
  unauthorized: { status: 401, hint: "Missing or invalid credentials." },
  forbidden: { status: 403, throughLogic: true, hint: "The caller may not do this." },
  payload_too_large: { status: 413, hint: "The request body is larger than the limit." },
  headers_too_large: { status: 431, hint: "The request headers are larger than the limit." },
  idempotency_mismatch: {
    status: 422,
    hint: "The Idempotency-Key was already used for a different request; use a new key.",
  },
  // the database or the server itself is (for now) not able to answer; retry after Retry-After
  store_unavailable: {
    status: 503,
    retryable: true,
    retryAfter: true,
    unavailable: true,
    throughLogic: true,
    hint: "The database is not reachable right now; retry shortly.",
  },
  commit_unknown: {
    status: 503,
    retryable: true,
    retryAfter: true,
    unavailable: true,
    hint: "The database connection dropped while the change was being committed; check GET /api/runs/{runId}.",
  },
  overloaded: {
    status: 503,
    retryAfter: true,
    unavailable: true,
    hint: "The server is busy: too many actions are running or waiting; nothing was run. Retry after Retry-After.",
  },
  storage_full: {
    status: 507,
    retryable: true,
    retryAfter: true,
    unavailable: true,
    throughLogic: true,
    hint: "The server's storage is full; nothing was written. An admin must free space on the database disk or data folder.",
  },
  starting: {
    status: 503,
    retryAfter: true,
    hint: "The server is starting: its sandbox workers are booting and its apps' isolates being prepared; retry shortly.",
  },
  shutting_down: {
    status: 503,
    retryAfter: true,
    hint: "The server is shutting down; retry on another instance.",
  },
  internal_error: { status: 500, hint: "An unexpected error; see the server log." },
  // the job queue (runtime/queue)
  queue_unavailable: {
    status: 503,
    retryAfter: true,
    hint: "This run has no job queue; start the server with `serve`.",
  },
  retry_later: {
    status: 503,
    retryAfter: true,
    throughLogic: true,
    hint: "The action asked to be retried later (ComindServer.retryLater).",
  },
  rate_limited: {
    status: 429,
    retryable: true,
    retryAfter: true,
    throughLogic: true,
    hint: "Too many queued runs or enqueues for this user or app; wait Retry-After seconds, or let queued runs finish.",
  },
  // `serve` / `dev` could not listen (the command line only; never an HTTP answer)
  port_in_use: {
    status: 409,
    hint: "Another process listens on the port; pick another with --port (PORT) or stop that process.",
  },
  port_forbidden: {
    status: 403,
    hint: "Ports below 1024 need privileges; pick a port from 1024 up with --port (PORT).",
  },
  host_unavailable: {
    status: 400,
    hint: "The --host (HOST) address is not an address of this machine; use 127.0.0.1, or 0.0.0.0 for all interfaces.",
  },
} as const satisfies Record<string, ErrorFacts>;

export type ErrorCode = keyof typeof REGISTRY;

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorFacts>> = REGISTRY;

/** Every code of the registry, in its order. */
export const ALL_ERROR_CODES: readonly ErrorCode[] = Object.keys(REGISTRY).filter(isErrorCode);

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

/** Validates a code that arrives as text (a worker's reply, a stored row, the isolate). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** A code that arrives as text, as the registry's code; anything unknown is `internal_error`. */
export function toErrorCode(value: unknown): ErrorCode {
  return isErrorCode(value) ? value : "internal_error";
}

/** Worth another attempt of a queued run (see ErrorFacts.retryable). */
export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CODES[code].retryable === true;
}

/** Answered with Retry-After (see ErrorFacts.retryAfter). */
export function answersRetryAfter(code: ErrorCode): boolean {
  return ERROR_CODES[code].retryAfter === true;
}

/** The database is away or a commit's outcome is unknown (see ErrorFacts.unavailable). */
export function isUnavailable(code: ErrorCode): boolean {
  return ERROR_CODES[code].unavailable === true;
}

/** A host error that keeps its code through uncaught logic (see ErrorFacts.throughLogic). */
export function passesThroughLogic(code: ErrorCode): boolean {
  return ERROR_CODES[code].throughLogic === true;
}

export function isRuntimeError(value: unknown): value is RuntimeError {
  return value instanceof RuntimeError;
}

/** An error as users see it: a registry code and a message (never a host stack). */
export interface PublicError {
  code: ErrorCode;
  message: string;
}

const SQLITE_FULL = 13;
const FULL_ERRNOS = new Set(["ENOSPC", "EDQUOT"]);

/** A driver or file-system error that means "no space left": SQLITE_FULL, Postgres 53100, ENOSPC. */
export function isDiskFull(error: unknown): boolean {
  if (isRuntimeError(error)) return error.code === "storage_full";
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (code === "ERR_SQLITE_ERROR" && typeof errcode === "number") return (errcode & 0xff) === SQLITE_FULL;
  return code === "53100" || (typeof code === "string" && FULL_ERRNOS.has(code));
}

export function storageFull(cause?: unknown): RuntimeError {
  return Object.assign(
    new RuntimeError(
      "storage_full",
      "The server's storage is full (its database disk or data folder); nothing was written. Reads still work; an admin must free space, then retry.",
    ),
    { cause },
  );
}

/** Shape an error for output: code + message only, never a host stack. */
export function publicError(error: unknown): PublicError {
  if (isRuntimeError(error)) return { code: error.code, message: error.message };
  if (isDiskFull(error)) return { code: "storage_full", message: storageFull().message };
  return { code: "internal_error", message: ERROR_CODES.internal_error.hint };
}

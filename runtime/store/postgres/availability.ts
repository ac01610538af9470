/**
 * Which Postgres failures mean "the database is not reachable" (the server answers 503 and
 * recovers by itself when it is back) as opposed to an error of the statement itself.
 */
import { isRuntimeError, RuntimeError } from "../../errors.ts";

/** SQLSTATE classes/codes of a lost or refused connection (admin shutdown, crash, startup, overload). */
const CONNECTION_STATES = new Set(["57P01", "57P02", "57P03", "53300", "53000"]);
const CONNECTION_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /connection (?:was )?(?:closed|ended)/i,
  /cannot use a pool after calling end/i,
];

export function isConnectionError(error: unknown): boolean {
  if (isRuntimeError(error)) return error.code === "store_unavailable";
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (code.startsWith("08") || CONNECTION_STATES.has(code))) return true;
  if (typeof code === "string" && CONNECTION_ERRNOS.has(code)) return true;
  return typeof message === "string" && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

export function storeUnavailable(): RuntimeError {
  return new RuntimeError(
    "store_unavailable",
    "The database is not reachable right now; nothing was written. Retry after the Retry-After seconds.",
  );
}

/** Errors of the store's own making, in the registry's words; anything else passes through. */
export function translateStoreError(error: unknown): unknown {
  if (isRuntimeError(error)) return error;
  // the driver's error stays as `cause`: opening the store names what failed (host, port, database)
  if (isConnectionError(error)) return Object.assign(storeUnavailable(), { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "55P03")
    return new RuntimeError(
      "conflict",
      "The record is locked by another transaction that did not finish in time; nothing was written. Retry the action.",
    );
  if (code === "57014")
    return new RuntimeError(
      "timeout",
      "A database statement ran longer than the statement timeout; nothing was written.",
    );
  return error;
}

/** Wraps every method of a store so that the errors above reach callers already translated. */
export function guardMethods<T extends object>(target: T): T {
  const guarded = { ...target } as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== "function") continue;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      } catch (error) {
        throw translateStoreError(error);
      }
    };
  }
  return guarded as T;
}

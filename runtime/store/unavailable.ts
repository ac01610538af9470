/**
 * A database URL that is malformed, points at a closed port or names a missing database becomes
 * one `store_unavailable` error that says which of these it is, naming host, port and database
 * (never the password) instead of a driver message such as `getaddrinfo ENOTFOUND base`.
 * A malformed URL, a missing database or refused credentials are permanent: waiting for the
 * database (as `serve` does while it is down) cannot fix them.
 */
import { RuntimeError } from "../errors.ts";

const permanent = new WeakSet<Error>();

/** True for store_unavailable errors that no retry can fix (a wrong URL, database or password). */
export function isPermanentStoreError(error: unknown): boolean {
  return error instanceof Error && permanent.has(error);
}

function permanentError(message: string): RuntimeError {
  const error = new RuntimeError("store_unavailable", message);
  permanent.add(error);
  return error;
}

interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** Parses a postgres:// URL, or throws store_unavailable saying what a valid one looks like. */
export function databaseTarget(databaseUrl: string): Target {
  let url: URL | undefined;
  try {
    url = new URL(databaseUrl);
  } catch {
    url = undefined;
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || !url.hostname)
    throw permanentError(
      `Cannot open the Postgres store: the database URL "${databaseUrl.replace(/\/\/[^@/]*@/, "//***@").slice(0, 200)}" is not a Postgres URL: use postgres://user:password@host:5432/database.`,
    );
  return {
    host: url.hostname,
    port: url.port || "5432",
    database: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || "postgres",
    user: decodeURIComponent(url.username),
  };
}

export function storeUnavailable(target: Target, error: unknown): RuntimeError {
  const code = (error as { code?: string })?.code;
  const where = `${target.host}:${target.port}`;
  const reason =
    code === "ENOTFOUND" || code === "EAI_AGAIN"
      ? `the host "${target.host}" is not found`
      : code === "ECONNREFUSED"
        ? `nothing accepts connections on ${where} (is Postgres running?)`
        : code === "3D000"
          ? `the database "${target.database}" does not exist on ${where} (create it: createdb ${target.database})`
          : code === "28P01" || code === "28000"
            ? `Postgres on ${where} refused user "${target.user}" (check the user and password)`
            : code === "ETIMEDOUT" || /timeout/i.test(String((error as Error)?.message))
              ? `connecting to ${where} timed out`
              : `connecting to ${where} failed (${code ?? "no error code"})`;
  const message = `Cannot open the Postgres store: ${reason}.`;
  const needsNewSettings = code === "3D000" || code === "28P01" || code === "28000";
  return needsNewSettings ? permanentError(message) : new RuntimeError("store_unavailable", message);
}

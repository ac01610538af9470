/**
 * `serve`'s database and token settings from the environment (docs/admins.md, "Configuration"):
 * Postgres pool size and timeouts, and the longest bearer-token lifetime accepted.
 */
import type { PoolSettings } from "../store/index.ts";
import { UsageError } from "./output.ts";

function envInt(name: string, min: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`${name} must be a whole number of at least ${min}, got "${raw}".`);
  return value;
}

/** Pool size defaults to 4 connections per sandbox worker (at least 10) in each of the two pools. */
export function poolSettingsFromEnv(workers: number): PoolSettings {
  return {
    size: envInt("COMIND_DB_POOL_SIZE", 1) ?? Math.max(10, workers * 4),
    acquireTimeoutMs: envInt("COMIND_DB_ACQUIRE_TIMEOUT_MS", 1),
    lockTimeoutMs: envInt("COMIND_DB_LOCK_TIMEOUT_MS", 1),
    statementTimeoutMs: envInt("COMIND_DB_STATEMENT_TIMEOUT_MS", 1),
  };
}

export function maxTokenAgeFromEnv(): number | undefined {
  return envInt("OIDC_MAX_TOKEN_AGE", 1);
}

/**
 * `serve`'s database and token settings from the environment (docs/admins.md, "Configuration"):
 * Postgres pool size and timeouts, and the longest bearer-token lifetime accepted. A bad value is
 * bad usage (exit 2) naming the variable and its range (option-schema.ts).
 */
import type { PoolSettings } from "../store/index.ts";
import { CLI_RANGES, envNumber } from "./option-schema.ts";

/** Pool size defaults to 4 connections per sandbox worker (at least 10) in each of the two pools. */
export function poolSettingsFromEnv(workers: number): PoolSettings {
  return {
    size: envNumber("COMIND_DB_POOL_SIZE", CLI_RANGES.dbPoolSize) ?? Math.max(10, workers * 4),
    acquireTimeoutMs: envNumber("COMIND_DB_ACQUIRE_TIMEOUT_MS", CLI_RANGES.dbTimeoutMs),
    lockTimeoutMs: envNumber("COMIND_DB_LOCK_TIMEOUT_MS", CLI_RANGES.dbTimeoutMs),
    statementTimeoutMs: envNumber("COMIND_DB_STATEMENT_TIMEOUT_MS", CLI_RANGES.dbTimeoutMs),
  };
}

export function maxTokenAgeFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return envNumber("OIDC_MAX_TOKEN_AGE", CLI_RANGES.tokenAgeSeconds, env);
}

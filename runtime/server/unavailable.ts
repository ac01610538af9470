/**
 * A tickets/multi item or action run that failed because the database was away (or its commit's
 * outcome is unknown) fails the whole request with 503: the client must retry (with the same
 * Idempotency-Key) rather than read it as "this item failed, the rest is fine".
 */
import type { Answer } from "./idempotency.ts";

const UNAVAILABLE = new Set(["store_unavailable", "commit_unknown"]);

export function isUnavailable(code: string | undefined): boolean {
  return code !== undefined && UNAVAILABLE.has(code);
}

/**
 * The 503 answer of a batch stopped at item `results.length - 1` (429 when it was an enqueue over
 * a quota, `rate_limited`); earlier items are listed as they ended.
 */
export function batchUnavailable(
  error: { code: string; message: string },
  runId: string | undefined,
  results: unknown[],
  status = 503,
): Answer {
  return {
    status,
    body: {
      error: { code: error.code, message: error.message, ...(runId ? { runId } : {}) },
      results,
    },
  };
}

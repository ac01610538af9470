/**
 * A tickets/multi item or action run that failed because the database was away (or its commit's
 * outcome is unknown: `isUnavailable` in runtime/errors.ts) fails the whole request with 503: the client must retry (with the same
 * Idempotency-Key) rather than read it as "this item failed, the rest is fine".
 */
import type { ErrorCode } from "../errors.ts";
import type { Answer } from "../runs/index.ts";

/**
 * The 503 answer of a batch stopped at item `results.length - 1` (429 when it was an enqueue over
 * a quota, `rate_limited`); earlier items are listed as they ended.
 */
export function batchUnavailable(
  error: { code: ErrorCode; message: string },
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

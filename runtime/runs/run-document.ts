/**
 * The run-result document: what `run --json` prints and the REST action endpoint returns, built
 * in one place so the two cannot drift apart.
 */
import type { ActionError, ActionResult } from "../actions/index.ts";

export type RunDocument =
  | {
      ok: true;
      entity: Record<string, unknown>;
      logs: ActionResult["logs"];
      runId: string;
      /** Every record the run wrote, when the action reports them. */
      recordIds?: string[];
      created: boolean;
      /** An idempotent retry answered from the stored result; the action did not run again. */
      replayed?: true;
      httpCalls: ActionResult["httpCalls"];
    }
  | {
      ok: false;
      error: ActionError;
      logs: ActionResult["logs"];
      runId: string;
      httpCalls: ActionResult["httpCalls"];
    };

export function runDocument(result: ActionResult): RunDocument {
  const { logs, runId, httpCalls } = result;
  return result.ok
    ? {
        ok: true,
        entity: result.entity,
        logs,
        runId,
        ...(result.recordIds ? { recordIds: result.recordIds } : {}),
        created: result.created,
        ...(result.replayed ? { replayed: true as const } : {}),
        httpCalls,
      }
    : { ok: false, error: result.error, logs, runId, httpCalls };
}

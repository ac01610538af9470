/**
 * The retention job's batches for both engines (the run log here, the queue's runs in
 * queue/run-sql.ts): look at the next `limit` rows older than the cutoff in (time, id) order, then
 * delete those of them that nothing needs any more. Keyset order, so every batch starts where the
 * last one stopped (rows that are kept are not looked at again) and each statement stays short.
 */
import { IDEMPOTENCY_TTL_MS } from "./idempotency-ttl.ts";
import type { TrimBatch, TrimCursor, TrimResult } from "./types.ts";

/** The candidates' SELECT: `table`'s (time, id) pairs of the batch, oldest first (`?` placeholders). */
export function trimCandidatesSql(table: string, time: string, id: string): string {
  return `SELECT ${time} AS at, ${id} AS id FROM ${table} WHERE ${time} < ? AND (${time}, ${id}) > (?, ?)
    ORDER BY ${time}, ${id} LIMIT ?`;
}

export const trimCandidatesParams = (batch: TrimBatch): (string | number)[] => [
  batch.before,
  batch.after?.at ?? "",
  batch.after?.id ?? "",
  batch.limit,
];

/** The batch's result from the candidates it looked at and the rows it deleted. */
export function trimResult(batch: TrimBatch, candidates: TrimCursor[], deleted: number): TrimResult {
  const last = candidates.at(-1);
  return {
    examined: candidates.length,
    deleted,
    next: last && candidates.length === batch.limit ? { at: last.at, id: last.id } : null,
  };
}

/**
 * The run-log rows of a batch that may go (`ids`: the engine's condition on the batch's ids;
 * `replayedSince`: the placeholder of the oldest idempotent commit still replayed). Kept: runs a
 * record's history names (the history links to its run), runs of queued or running jobs, and runs
 * whose commit answered an idempotency key whose answer is still replayed.
 */
export function runLogDeleteSql(ids: string, replayedSince: string): string {
  return `DELETE FROM action_runs WHERE ${ids}
    AND NOT EXISTS (SELECT 1 FROM record_history h WHERE h.run_id = action_runs.id)
    AND NOT EXISTS (SELECT 1 FROM queue_runs q WHERE q.run_id = action_runs.id AND q.status IN ('queued', 'running'))
    AND NOT EXISTS (SELECT 1 FROM run_commits c WHERE c.run_id = action_runs.id
      AND c.idempotency_key IS NOT NULL AND c.committed_at >= ${replayedSince})`;
}

/**
 * The recordings (run_recordings, for `replay`) of a batch's runs that the run log no longer holds
 * (`ids`: the engine's condition on the batch's `run_id`s): a recording goes with its run.
 */
export function recordingsDeleteSql(ids: string): string {
  return `DELETE FROM run_recordings WHERE ${ids}
    AND NOT EXISTS (SELECT 1 FROM action_runs a WHERE a.id = run_recordings.run_id)`;
}

/** The run log's candidates, in each engine's placeholders. */
export const RUN_LOG_CANDIDATES = trimCandidatesSql("action_runs", "started_at", "id");

/** Commits newer than this answered idempotency keys whose answers are still replayed. */
export const replayedSince = (): string => new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString();

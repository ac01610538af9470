/**
 * Reading queued runs straight from the store's database, without starting a queue (the CLI's
 * `runs`): which entries of the run log belong to a queued run, and how that run ended.
 */
import type { QueueStoragePort } from "../store/index.ts";
import { toPg } from "./run-sql.ts";
import type { RunStatus } from "./types.ts";

export interface QueuedRunState {
  status: RunStatus;
  attempt: number;
  maxAttempts: number;
}

/** The queued run a run-log id belongs to: attempts are logged as <runId>, <runId>~2, ... */
export function queuedRunIdOf(runLogId: string): string {
  return runLogId.split("~")[0];
}

export async function queuedRunStates(
  store: QueueStoragePort,
  runIds: string[],
): Promise<Map<string, QueuedRunState>> {
  const states = new Map<string, QueuedRunState>();
  const ids = [...new Set(runIds)].slice(0, 1_000);
  if (ids.length === 0) return states;
  const storage = store.queueStorage;
  const sql = `SELECT run_id, status, attempt, max_attempts FROM queue_runs WHERE run_id IN (${ids.map(() => "?").join(", ")})`;
  const rows =
    storage.engine === "sqlite"
      ? (storage.db.prepare(sql).all(...ids) as Record<string, unknown>[])
      : (await storage.pool.query(toPg(sql), ids)).rows;
  for (const row of rows)
    states.set(String(row.run_id), {
      status: row.status as RunStatus,
      attempt: Number(row.attempt),
      maxAttempts: Number(row.max_attempts),
    });
  return states;
}

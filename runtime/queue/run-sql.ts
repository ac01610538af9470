/**
 * The SQL both engines share for `queue_runs`, `schedule_ticks` and `webhook_deliveries`,
 * written with `?` placeholders (toPg numbers them for Postgres), and the row <-> document mapping.
 */
import { actorOf } from "../access/index.ts";
import { RuntimeError, toErrorCode } from "../errors.ts";
import type { QueueDepth } from "../metrics/index.ts";
import { trimCandidatesSql } from "../store/index.ts";
import type { NewRun, RunDoc, RunListQuery, RunPatch, StoredRun } from "./types.ts";

export const SQL = {
  insertRun: `INSERT INTO queue_runs (run_id, workspace, app, action, record_id, source, actor, status, attempt,
      max_attempts, job_key, spec, created_at, updated_at, priority)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 1, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING run_id`,
  /** The commit mark: exactly one commit per run, whatever the number of attempts or nodes. */
  markCommitted: "UPDATE queue_runs SET committed_at = ? WHERE run_id = ? AND committed_at IS NULL",
  start: `UPDATE queue_runs SET status = 'running', updated_at = ?
    WHERE run_id = ? AND attempt = ? AND status IN ('queued', 'running') RETURNING *`,
  retry: `UPDATE queue_runs SET status = 'queued', attempt = ?, error_code = ?, error_message = ?, updated_at = ?
    WHERE run_id = ? AND status IN ('queued', 'running')`,
  finish: `UPDATE queue_runs SET status = ?, result = COALESCE(?, result), error_code = ?, error_message = ?,
    updated_at = ? WHERE run_id = ?`,
  get: "SELECT * FROM queue_runs WHERE run_id = ?",
  /** Runs per state and when the oldest entered it (queue_runs_by_status; succeeded runs are not counted). */
  depth: `SELECT status, COUNT(*) AS runs, MIN(updated_at) AS oldest FROM queue_runs
    WHERE status IN ('queued', 'running', 'failed', 'dead') GROUP BY status`,
  /**
   * An attempt the queue gave up redelivering: dead (succeeded if its commit mark says it had
   * committed), unless a later attempt or an outcome came first.
   */
  giveUp: `UPDATE queue_runs SET updated_at = ?,
      status = CASE WHEN committed_at IS NULL THEN 'dead' ELSE 'succeeded' END,
      error_code = CASE WHEN committed_at IS NULL THEN ? ELSE error_code END,
      error_message = CASE WHEN committed_at IS NULL THEN ? ELSE error_message END
    WHERE run_id = ? AND attempt = ? AND status IN ('queued', 'running')`,
  claimTick:
    "INSERT INTO schedule_ticks (schedule, tick, claimed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING tick",
  lastTick: "SELECT MAX(tick) AS tick FROM schedule_ticks WHERE schedule = ?",
  /** Only the latest tick matters (backfill); older claims are kept an hour, then dropped. */
  forgetTicks: "DELETE FROM schedule_ticks WHERE schedule = ? AND tick < ?",
  forgetDeliveries: "DELETE FROM webhook_deliveries WHERE received_at < ?",
  forgetDelivery: "DELETE FROM webhook_deliveries WHERE signature = ?",
  /** The retention job's batch: finished runs looked at oldest first (the store's trim-sql.ts). */
  trimCandidates: trimCandidatesSql("queue_runs", "updated_at", "run_id"),
  rememberDelivery:
    "INSERT INTO webhook_deliveries (signature, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING signature",
};

/** The rows of SQL.depth as the metrics show them: every state (0 when none), ages for queued and running. */
export function depthFromRows(rows: Record<string, unknown>[], now = Date.now()): QueueDepth[] {
  const byState = new Map(rows.map((row) => [String(row.status), row]));
  return (["queued", "running", "failed", "dead"] as const).map((state) => {
    const row = byState.get(state);
    const waiting = state === "queued" || state === "running";
    const oldest = row && waiting ? new Date(row.oldest as string | Date).getTime() : Number.NaN;
    return {
      state,
      runs: row ? Number(row.runs) : 0,
      oldestAgeSeconds: Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : null,
    };
  });
}

/** `?` -> `$1, $2, ...` (none of our SQL has a literal question mark). */
export function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function forgetTicksParams(schedule: string, tick: string): unknown[] {
  return [schedule, new Date(Date.parse(tick) - 3_600_000).toISOString()];
}

/** `priority`: the run's place in the fair order (quotas.ts), kept for its retries. */
export function insertRunParams(run: NewRun, now: string, priority: number): unknown[] {
  return [
    run.runId,
    run.workspace,
    run.app,
    run.action,
    run.recordId ?? null,
    run.source,
    actorOf(run.caller),
    run.maxAttempts,
    run.key ?? null,
    JSON.stringify(run),
    now,
    now,
    priority,
  ];
}

export function finishParams(runId: string, patch: RunPatch, now: string): unknown[] {
  return [
    patch.status,
    patch.result ? JSON.stringify(patch.result) : null,
    patch.error?.code ?? null,
    patch.error?.message ?? null,
    now,
    runId,
  ];
}

export function listSql(query: RunListQuery): { sql: string; params: unknown[] } {
  const where = ["workspace = ?"];
  const params: unknown[] = [query.workspace];
  if (query.app) {
    where.push("app = ?");
    params.push(query.app);
  }
  if (query.actor) {
    where.push("actor = ?");
    params.push(query.actor);
  }
  if (query.failedOnly) where.push("status IN ('failed', 'dead')");
  if (query.status) {
    where.push("status = ?");
    params.push(query.status);
  }
  params.push(Math.min(Math.max(query.limit ?? 100, 1), 1000));
  return {
    sql: `SELECT * FROM queue_runs WHERE ${where.join(" AND ")} ORDER BY created_at DESC, run_id LIMIT ?`,
    params,
  };
}

export function rowToRun(row: Record<string, unknown>): StoredRun {
  const spec = JSON.parse(String(row.spec)) as NewRun;
  const doc: StoredRun = {
    runId: String(row.run_id),
    workspace: String(row.workspace),
    app: String(row.app),
    action: String(row.action),
    recordId: row.record_id == null ? null : String(row.record_id),
    source: String(row.source),
    actor: String(row.actor),
    status: row.status as StoredRun["status"],
    attempt: Number(row.attempt),
    maxAttempts: Number(row.max_attempts),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    spec,
    committed: row.committed_at != null,
  };
  if (spec.tick) doc.tick = spec.tick;
  if (row.error_code)
    doc.error = { code: toErrorCode(row.error_code), message: String(row.error_message ?? "") };
  if (row.result) doc.result = JSON.parse(String(row.result));
  return doc;
}

/** The public document: no stored spec (it holds the values and a webhook's body). */
export function publicRun(run: StoredRun): RunDoc {
  const { spec: _spec, workspace: _workspace, committed: _committed, ...doc } = run;
  return doc;
}

export function alreadyCommitted(runId: string): RuntimeError {
  return new RuntimeError(
    "conflict",
    `Run ${runId} was already committed by an earlier attempt; this attempt wrote nothing.`,
  );
}

/**
 * Deletes the batch's runs that are finished (`ids`: the engine's condition on the batch's ids).
 * Queued and running runs stay whatever their age (a run due next month, a long retry).
 */
export const trimRunsSql = (ids: string): string =>
  `DELETE FROM queue_runs WHERE ${ids} AND status IN ('succeeded', 'failed', 'dead')`;

/**
 * The run log's list query for both engines: filters by workspace, app, action, actor, outcome and
 * start time, newest first. One builder, so both engines filter the same way; values are bound.
 */
import type { ActionRunLog, RunQuery } from "./types.ts";

export function runListSql(
  query: RunQuery,
  placeholder: (index: number) => string,
  tiebreak: string,
): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const bind = (condition: string, value: string | number) => {
    params.push(value);
    where.push(condition.replace("?", placeholder(params.length)));
  };
  if (query.workspace) bind("workspace = ?", query.workspace);
  if (query.app) bind("app = ?", query.app);
  if (query.action) bind("action = ?", query.action);
  if (query.actor) bind("actor = ?", query.actor);
  if (query.since) bind("started_at >= ?", query.since);
  if (query.after) bind("started_at > ?", query.after);
  if (query.failedOnly) where.push("NOT ok");
  if (query.okOnly) where.push("ok");
  params.push(query.limit ?? 100);
  const sql = `SELECT * FROM action_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, ${tiebreak} DESC LIMIT ${placeholder(params.length)}`;
  return { sql, params };
}

/** The run log's columns, in the order `runRowValues` gives their values. */
const RUN_COLUMNS = [
  "id",
  "workspace",
  "app",
  "action",
  "record_id",
  "source",
  "actor",
  "started_at",
  "finished_at",
  "ok",
  "error_code",
  "error_message",
  "logs",
  "http_calls",
  "cpu_ms",
  "heap_mb",
  "error_stack",
  "new_record_values",
] as const;

/** INSERT of one run-log row for either engine (`placeholder(1)` = "?" or "$1"). */
export function runInsertSql(placeholder: (index: number) => string): string {
  const values = RUN_COLUMNS.map((_, i) => placeholder(i + 1)).join(", ");
  return `INSERT INTO action_runs (${RUN_COLUMNS.join(", ")}) VALUES (${values})`;
}

/** The row's values; `ok` as the engine stores booleans (SQLite 1/0, Postgres true/false). */
export function runRowValues(run: ActionRunLog, ok: (value: boolean) => boolean | number) {
  return [
    run.id,
    run.workspace,
    run.app,
    run.action,
    run.recordId,
    run.source,
    run.actor,
    run.startedAt,
    run.finishedAt,
    ok(run.ok),
    run.errorCode,
    run.errorMessage,
    JSON.stringify(run.logs),
    JSON.stringify(run.httpCalls),
    run.cpuMs ?? null,
    run.heapMb ?? null,
    run.errorStack ?? null,
    run.newRecordValues ? JSON.stringify(run.newRecordValues) : null,
  ];
}

/** A run's recording, beside its run-log row ("?" placeholders; Postgres numbers them). */
export const RECORDING_INSERT_SQL = "INSERT INTO run_recordings (run_id, recording) VALUES (?, ?)";

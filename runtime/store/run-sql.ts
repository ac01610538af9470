/**
 * The run log's list query for both engines: filters by workspace, app, action, actor, outcome and
 * start time, newest first. One builder, so both engines filter the same way; values are bound.
 */
import type { RunQuery } from "./types.ts";

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

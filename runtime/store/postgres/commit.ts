/**
 * Applies one action's change set in a single Postgres transaction (file bytes included).
 * Writes go in batches (jsonb_to_recordset), so a 10,000-row importData is a handful of
 * statements, not 30,000 round trips.
 */
import { readFile } from "node:fs/promises";
import type pg from "pg";
import { RuntimeError } from "../../errors.ts";
import type { ActionRunLog, ChangeSet, RecordWrite, StoredRecord } from "../types.ts";
import { rowToRecord } from "../rows.ts";
import { RECORDING_INSERT_SQL, runInsertSql, runRowValues } from "../run-sql.ts";
import { inTransaction } from "./transaction.ts";
import { ATTACHMENT_COUNTER } from "../attachment-counter.ts";
import { FILE_COLUMNS, fileRowValues } from "../file-sql.ts";

const BATCH = 1_000;
type Client = pg.PoolClient | pg.Pool;

export async function nextValue(client: Client, workspace: string, name: string, count = 1): Promise<number> {
  const { rows } = await client.query(
    "INSERT INTO sequences (workspace, name, value) VALUES ($1, $2, $3) ON CONFLICT (workspace, name) DO UPDATE SET value = sequences.value + $3 RETURNING value",
    [workspace, name, count],
  );
  return Number(rows[0].value);
}

function chunks<T>(items: T[]): T[][] {
  const out = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

function conflict(ids: string[]): RuntimeError {
  const which = ids.length ? ` (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""})` : "";
  return new RuntimeError(
    "conflict",
    `A record${which} was changed or deleted by someone else while the action ran; retry the action.`,
  );
}

async function insertAll(
  client: pg.PoolClient,
  changes: ChangeSet,
  inserts: Extract<RecordWrite, { kind: "insert" }>[],
  now: string,
): Promise<void> {
  const perApp = new Map<string, number>();
  for (const write of inserts) perApp.set(write.app, (perApp.get(write.app) ?? 0) + 1);
  const next = new Map<string, number>();
  // Apps in name order: two commits that lock the same counters take them in the same order.
  for (const [app, count] of [...perApp].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    next.set(app, (await nextValue(client, changes.workspace, `record-number:${app}`, count)) - count + 1);
  }
  const rows = inserts.map((write) => {
    const number = next.get(write.app)!;
    next.set(write.app, number + 1);
    return { id: write.id, workspace: changes.workspace, app: write.app, number, fields: write.fields, now };
  });
  // An id that comes back (e.g. the CLI's --record with a fixed id) is live again, not deleted.
  if (rows.length)
    await client.query("DELETE FROM record_tombstones WHERE id = ANY($1)", [rows.map((r) => r.id)]);
  for (const batch of chunks(rows)) {
    await client.query(
      `INSERT INTO records (id, workspace, app, number, revision, fields, creation_date, update_date)
       SELECT id, workspace, app, number, 1, fields, now, now FROM jsonb_to_recordset($1::jsonb) AS x(id text, workspace text, app text, number int, fields jsonb, now text)`,
      [JSON.stringify(batch)],
    );
  }
}

async function updateAll(
  client: pg.PoolClient,
  changes: ChangeSet,
  updates: Extract<RecordWrite, { kind: "update" }>[],
  now: string,
): Promise<void> {
  for (const batch of chunks(updates)) {
    const rows = batch.map((w) => ({ id: w.id, expected: w.expectedRevision, fields: w.fields }));
    const result = await client.query(
      `UPDATE records r SET fields = x.fields, revision = r.revision + 1, update_date = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, expected int, fields jsonb)
       WHERE r.workspace = $3 AND r.id = x.id AND r.revision = x.expected`,
      [JSON.stringify(rows), now, changes.workspace],
    );
    if (result.rowCount !== batch.length) throw conflict(batch.map((w) => w.id));
  }
}

/** Deletes with their revision check; each deleted record leaves a tombstone (id, app, number, time). */
async function deleteAll(
  client: pg.PoolClient,
  changes: ChangeSet,
  deletes: Extract<RecordWrite, { kind: "delete" }>[],
  now: string,
): Promise<void> {
  for (const batch of chunks(deletes)) {
    const result = await client.query(
      `WITH gone AS (
         DELETE FROM records r USING jsonb_to_recordset($1::jsonb) AS x(id text, expected int)
         WHERE r.workspace = $2 AND r.id = x.id AND r.revision = x.expected
         RETURNING r.id, r.workspace, r.app, r.number)
       INSERT INTO record_tombstones (id, workspace, app, number, deleted_at, actor)
       SELECT id, workspace, app, number, $3, $4 FROM gone
       ON CONFLICT (id) DO UPDATE SET workspace = excluded.workspace, app = excluded.app,
         number = excluded.number, deleted_at = excluded.deleted_at, actor = excluded.actor`,
      [
        JSON.stringify(batch.map((w) => ({ id: w.id, expected: w.expectedRevision }))),
        changes.workspace,
        now,
        changes.actor,
      ],
    );
    if (result.rowCount !== batch.length) throw conflict(batch.map((w) => w.id));
  }
}

async function writeHistory(client: pg.PoolClient, changes: ChangeSet, now: string): Promise<void> {
  const entries = changes.writes
    .filter((write) => !write.skipHistory)
    .map((write) => ({
      record_id: write.id,
      app: write.app,
      revision: write.kind === "insert" ? 1 : write.expectedRevision + 1,
      transition: write.transition,
      changes: write.kind === "delete" ? [] : write.changes,
      comment: write.comment ?? null,
    }));
  for (const batch of chunks(entries)) {
    await client.query(
      `INSERT INTO record_history (record_id, workspace, app, revision, actor, action, transition, ts, changes, run_id, comment)
       SELECT record_id, $2, app, revision, $3, $4, transition, $5, changes, $6, comment
       FROM jsonb_to_recordset($1::jsonb) AS x(record_id text, app text, revision int, transition text, changes jsonb, comment text)`,
      [JSON.stringify(batch), changes.workspace, changes.actor, changes.action, now, changes.runId],
    );
  }
}

export async function insertRun(client: Client, run: ActionRunLog): Promise<void> {
  await client.query(
    runInsertSql((index) => `$${index}`),
    runRowValues(run, (ok) => ok),
  );
  if (run.recording)
    await client.query(RECORDING_INSERT_SQL.replace("?", "$1").replace("?", "$2"), [run.id, run.recording]);
}

/** A queue of the other engine cannot join this transaction (a server wiring mistake). */
function otherEngine(engine: string): RuntimeError {
  return new RuntimeError(
    "internal_error",
    `A ${engine} commit step cannot join a Postgres transaction; open the queue on the same store as the actions.`,
  );
}

/** Deadlock / serialization failure: another commit touched the same rows at the same time. */
const RACE_CODES = new Set(["40P01", "40001"]);

function asConflict(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && RACE_CODES.has(code) ? conflict([]) : error;
}

export async function commitChangeSet(pool: pg.Pool, changes: ChangeSet): Promise<StoredRecord[]> {
  const now = new Date().toISOString();
  const blobs = await Promise.all(changes.files.map((file) => readFile(file.sourcePath)));
  const write = async (client: pg.PoolClient) => {
    for (const [i, file] of changes.files.entries()) {
      await client.query(
        `INSERT INTO files (${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        fileRowValues(file, changes.actor, now, await nextValue(client, "", ATTACHMENT_COUNTER)),
      );
      await client.query("INSERT INTO file_blobs (id, bytes) VALUES ($1, $2)", [file.id, blobs[i]]);
    }
    const of = <K extends RecordWrite["kind"]>(kind: K) =>
      changes.writes.filter((w): w is Extract<RecordWrite, { kind: K }> => w.kind === kind);
    await insertAll(client, changes, of("insert"), now);
    await updateAll(client, changes, of("update"), now);
    await deleteAll(client, changes, of("delete"), now);
    await writeHistory(client, changes, now);
    if (changes.run) await insertRun(client, changes.run);
    await client.query(
      "INSERT INTO run_commits (run_id, idempotency_key, actor, record_id, committed_at) VALUES ($1, $2, $3, $4, $5)",
      [changes.runId, changes.idempotencyKey ?? null, changes.actor, changes.recordId ?? null, now],
    );
    for (const extra of changes.extras ?? []) {
      if (extra.engine !== "postgres") throw otherEngine(extra.engine);
      await extra.apply(client);
    }
    const touched = changes.writes.filter((w) => w.kind !== "delete").map((w) => w.id);
    const { rows } = touched.length
      ? await client.query("SELECT * FROM records WHERE id = ANY($1)", [touched])
      : { rows: [] };
    const byId = new Map(rows.map((row) => [row.id, rowToRecord(row)]));
    return touched.map((id) => byId.get(id)!);
  };
  try {
    return await inTransaction(pool, write);
  } catch (error) {
    throw asConflict(error);
  }
}

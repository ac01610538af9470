/** Applies one action's change set in a single Postgres transaction (file bytes included). */
import { readFile } from "node:fs/promises";
import type pg from "pg";
import { RuntimeError } from "../../errors.ts";
import type { ChangeSet, RecordWrite, StoredRecord } from "../types.ts";
import { rowToRecord } from "../rows.ts";

function conflict(write: RecordWrite): RuntimeError {
  return new RuntimeError("conflict", `Record ${write.id} was changed or deleted by someone else while the action ran; retry the action.`);
}

export async function nextValue(client: pg.PoolClient | pg.Pool, workspace: string, name: string): Promise<number> {
  const { rows } = await client.query(
    "INSERT INTO sequences (workspace, name, value) VALUES ($1, $2, 1) ON CONFLICT (workspace, name) DO UPDATE SET value = sequences.value + 1 RETURNING value",
    [workspace, name],
  );
  return Number(rows[0].value);
}

async function applyWrite(client: pg.PoolClient, changes: ChangeSet, write: RecordWrite, now: string): Promise<number> {
  if (write.kind === "insert") {
    const number = await nextValue(client, changes.workspace, `record-number:${write.app}`);
    await client.query(
      "INSERT INTO records (id, workspace, app, number, revision, fields, creation_date, update_date) VALUES ($1, $2, $3, $4, 1, $5, $6, $6)",
      [write.id, changes.workspace, write.app, number, JSON.stringify(write.fields), now],
    );
    return 1;
  }
  const result = write.kind === "update"
    ? await client.query("UPDATE records SET fields = $1, revision = revision + 1, update_date = $2 WHERE workspace = $3 AND id = $4 AND revision = $5", [JSON.stringify(write.fields), now, changes.workspace, write.id, write.expectedRevision])
    : await client.query("DELETE FROM records WHERE workspace = $1 AND id = $2 AND revision = $3", [changes.workspace, write.id, write.expectedRevision]);
  if (result.rowCount !== 1) throw conflict(write);
  return write.expectedRevision + 1;
}

export async function commitChangeSet(pool: pg.Pool, changes: ChangeSet): Promise<StoredRecord[]> {
  const now = new Date().toISOString();
  const blobs = await Promise.all(changes.files.map((file) => readFile(file.sourcePath)));
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    for (const [i, file] of changes.files.entries()) {
      await client.query("INSERT INTO files (id, file_name, content_type, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)", [file.id, file.fileName, file.contentType, file.size, file.sha256, now]);
      await client.query("INSERT INTO file_blobs (id, bytes) VALUES ($1, $2)", [file.id, blobs[i]]);
    }
    const touched: string[] = [];
    for (const write of changes.writes) {
      const revision = await applyWrite(client, changes, write, now);
      await client.query(
        "INSERT INTO record_history (record_id, workspace, app, revision, actor, action, transition, ts, changes, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [write.id, changes.workspace, write.app, revision, changes.actor, changes.action, write.transition, now, JSON.stringify(write.kind === "delete" ? [] : write.changes), changes.runId],
      );
      if (write.kind !== "delete") touched.push(write.id);
    }
    const { rows } = touched.length ? await client.query("SELECT * FROM records WHERE id = ANY($1)", [touched]) : { rows: [] };
    await client.query("COMMIT");
    const byId = new Map(rows.map((row) => [row.id, rowToRecord(row)]));
    return touched.map((id) => byId.get(id)!);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

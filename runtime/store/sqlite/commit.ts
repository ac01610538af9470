/**
 * Applies one action's change set in a single SQLite transaction. File bytes are copied into
 * files/ first and removed again if the transaction does not commit.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { inSqliteTransaction } from "./transaction.ts";
import { constants, copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ActionRunLog, ChangeSet, RecordWrite, StoredRecord } from "../types.ts";
import { RuntimeError } from "../../errors.ts";
import { RECORDING_INSERT_SQL, runInsertSql, runRowValues } from "../run-sql.ts";
import type { Prepare } from "./statements.ts";
import { ATTACHMENT_COUNTER } from "../attachment-counter.ts";
import { FILE_COLUMNS, fileRowValues } from "../file-sql.ts";

function conflict(write: RecordWrite): RuntimeError {
  return new RuntimeError(
    "conflict",
    `Record ${write.id} was changed or deleted by someone else while the action ran; retry the action.`,
  );
}

/** A queue of the other engine cannot join this transaction (a server wiring mistake). */
function otherEngine(engine: string): RuntimeError {
  return new RuntimeError(
    "internal_error",
    `A ${engine} commit step cannot join a SQLite transaction; open the queue on the same store as the actions.`,
  );
}

function nextValue(prepare: Prepare, workspace: string, name: string): number {
  const row = prepare(
    "INSERT INTO sequences (workspace, name, value) VALUES (?, ?, 1) ON CONFLICT (workspace, name) DO UPDATE SET value = value + 1 RETURNING value",
  ).get(workspace, name) as { value: number };
  return Number(row.value);
}

const nextNumber = (prepare: Prepare, workspace: string, app: string) =>
  nextValue(prepare, workspace, `record-number:${app}`);

/**
 * The record as stored after a write, from what was written (the row's `fields` text parsed, as a
 * read would): the commit answers with it instead of reading every written record back.
 */
function written(
  changes: ChangeSet,
  write: RecordWrite,
  fields: string,
  row: { number: number; revision: number; creationDate: string; now: string },
): StoredRecord {
  return {
    id: write.id,
    workspace: changes.workspace,
    app: write.app,
    number: Number(row.number),
    revision: Number(row.revision),
    fields: JSON.parse(fields),
    creationDate: row.creationDate,
    updateDate: row.now,
  };
}

/** Applies one write; the new revision and the record as stored now (null once deleted). */
function applyWrite(
  prepare: Prepare,
  changes: ChangeSet,
  write: RecordWrite,
  now: string,
): { revision: number; record: StoredRecord | null } {
  if (write.kind === "insert") {
    const fields = JSON.stringify(write.fields);
    const number = nextNumber(prepare, changes.workspace, write.app);
    prepare(
      "INSERT INTO records (id, workspace, app, number, revision, fields, creation_date, update_date) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
    ).run(write.id, changes.workspace, write.app, number, fields, now, now);
    // An id that comes back (e.g. the CLI's --record with a fixed id) is live again, not deleted.
    prepare("DELETE FROM record_tombstones WHERE id = ?").run(write.id);
    return {
      revision: 1,
      record: written(changes, write, fields, { number, revision: 1, creationDate: now, now }),
    };
  }
  if (write.kind === "update") {
    const fields = JSON.stringify(write.fields);
    const row = prepare(
      "UPDATE records SET fields = ?, revision = revision + 1, update_date = ? WHERE workspace = ? AND id = ? AND revision = ? RETURNING number, revision, creation_date",
    ).get(fields, now, changes.workspace, write.id, write.expectedRevision) as
      | { number: number; revision: number; creation_date: string }
      | undefined;
    if (!row) throw conflict(write);
    const revision = write.expectedRevision + 1;
    return {
      revision,
      record: written(changes, write, fields, {
        number: row.number,
        revision,
        creationDate: row.creation_date,
        now,
      }),
    };
  }
  const gone = prepare(
    "DELETE FROM records WHERE workspace = ? AND id = ? AND revision = ? RETURNING number",
  ).get(changes.workspace, write.id, write.expectedRevision) as { number: number } | undefined;
  if (!gone) throw conflict(write);
  prepare(
    `INSERT INTO record_tombstones (id, workspace, app, number, deleted_at, actor) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET workspace = excluded.workspace, app = excluded.app, number = excluded.number,
       deleted_at = excluded.deleted_at, actor = excluded.actor`,
  ).run(write.id, changes.workspace, write.app, Number(gone.number), now, changes.actor);
  return { revision: write.expectedRevision + 1, record: null };
}

function writeHistory(
  prepare: Prepare,
  changes: ChangeSet,
  write: RecordWrite,
  revision: number,
  now: string,
): void {
  const diff = write.kind === "delete" ? [] : write.changes;
  prepare(
    "INSERT INTO record_history (record_id, workspace, app, revision, actor, action, transition, ts, changes, run_id, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(
    write.id,
    changes.workspace,
    write.app,
    revision,
    changes.actor,
    changes.action,
    write.transition,
    now,
    JSON.stringify(diff),
    changes.runId,
    write.comment ?? null,
  );
}

const INSERT_FILE = `INSERT INTO files (${FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** Built once: the statement cache is keyed by SQL text, and this one is on every action's path. */
const INSERT_RUN = runInsertSql(() => "?");

export function insertRun(prepare: Prepare, run: ActionRunLog): void {
  prepare(INSERT_RUN).run(...(runRowValues(run, (ok) => (ok ? 1 : 0)) as SQLInputValue[]));
  if (run.recording) prepare(RECORDING_INSERT_SQL).run(run.id, run.recording);
}

function copyExclusive(source: string, target: string, id: string): void {
  try {
    copyFileSync(source, target, constants.COPYFILE_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new RuntimeError(
      "conflict",
      `A file with id ${id.slice(0, 64)} is already stored; store the new file under a new id.`,
    );
  }
}

/**
 * Copies the change set's file bytes into files/ (before its transaction: a commit never waits on
 * file I/O inside the write lock); on a failure the ones copied so far are removed again.
 */
export function copyChangeSetFiles(filesDir: string, changes: ChangeSet): string[] {
  const copied: string[] = [];
  try {
    for (const file of changes.files) {
      const target = join(filesDir, file.id);
      // Never over an existing file: a clashing id would otherwise replace its bytes, and the
      // clean-up (the INSERT fails on the id) would then delete them.
      copyExclusive(file.sourcePath, target, file.id);
      copied.push(target);
    }
    return copied;
  } catch (error) {
    removeCopies(copied);
    throw error;
  }
}

/** Removes file copies whose change set did not commit. */
export function removeCopies(copied: string[]): void {
  for (const path of copied) rmSync(path, { force: true });
}

/**
 * Writes one change set inside an open transaction (its own, or its savepoint in a group commit:
 * group-commit.ts); the records it wrote, as stored now.
 */
export function applyChangeSet(db: DatabaseSync, prepare: Prepare, changes: ChangeSet): StoredRecord[] {
  const now = new Date().toISOString();
  for (const file of changes.files)
    prepare(INSERT_FILE).run(
      ...fileRowValues(file, changes.actor, now, nextValue(prepare, "", ATTACHMENT_COUNTER)),
    );
  // Each written record as it stands at the end (no read-back: the commit knows what it wrote).
  const touched: string[] = [];
  const latest = new Map<string, StoredRecord | null>();
  for (const write of changes.writes) {
    const { revision, record } = applyWrite(prepare, changes, write, now);
    if (!write.skipHistory) writeHistory(prepare, changes, write, revision, now);
    if (write.kind !== "delete") touched.push(write.id);
    latest.set(write.id, record);
  }
  prepare(
    "INSERT INTO run_commits (run_id, idempotency_key, actor, record_id, committed_at) VALUES (?, ?, ?, ?, ?)",
  ).run(changes.runId, changes.idempotencyKey ?? null, changes.actor, changes.recordId ?? null, now);
  for (const extra of changes.extras ?? []) {
    if (extra.engine !== "sqlite") throw otherEngine(extra.engine);
    extra.apply(db);
  }
  const records = touched.map((id) => latest.get(id)!);
  if (changes.run) insertRun(prepare, changes.run);
  return records;
}

/** Commits one change set in a transaction of its own, file copies included. */
export function commitChangeSet(
  db: DatabaseSync,
  prepare: Prepare,
  filesDir: string,
  changes: ChangeSet,
): StoredRecord[] {
  const copied = copyChangeSetFiles(filesDir, changes);
  try {
    return inSqliteTransaction(db, () => applyChangeSet(db, prepare, changes));
  } catch (error) {
    removeCopies(copied);
    throw error;
  }
}

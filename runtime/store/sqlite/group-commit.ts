/**
 * Group commit: the change sets that reach the store in one turn of the event loop (actions that
 * finished together) commit in one SQLite transaction, each inside a SAVEPOINT of its own, so
 * each stays all-or-nothing on its own — one that fails (a revision conflict, an idempotency key
 * used twice) is rolled back to its savepoint and fails alone, the others commit.
 *
 * Why: a small action's commit is mostly the WAL frames it writes, and the change sets of one
 * group share most of their pages (the tails of the history, run and commit tables and of their
 * indexes), which one transaction writes once. Measured (docs/performance.md): 19.7 WAL frames
 * per action committed alone, 7.1 per action in groups of four.
 *
 * As for a commit on its own, each change set's file bytes are copied before BEGIN (never inside
 * the write lock) and removed again if it does not commit. No change set is answered before its
 * group's COMMIT. When the group as a whole fails — COMMIT refused, or an error that ends the
 * whole transaction (a full disk) — nothing of it was written and each change set is committed
 * again on its own, so each gets its own true outcome. When BEGIN is refused (another process
 * holds the write lock) each is refused with that error, as it would have been alone, and the
 * caller's busy retry (busy.ts) takes it from there.
 */
import type { DatabaseSync } from "node:sqlite";
// From node:timers, not the global: a test's fake timers must not hold commits back.
import { setImmediate } from "node:timers";
import type { ChangeSet, StoredRecord } from "../types.ts";
import { applyChangeSet, commitChangeSet, copyChangeSetFiles, removeCopies } from "./commit.ts";
import type { Prepare } from "./statements.ts";

/** Bounds one transaction (and the event-loop time it holds) under a burst of finishing actions. */
export const MAX_GROUP = 64;

export interface GroupCommitter {
  /** Commits the change set with the others of this turn; the records it wrote. */
  commit(changes: ChangeSet): Promise<StoredRecord[]>;
  /** Commits what is waiting now (before the connection closes). */
  flush(): void;
}

type Pending = {
  changes: ChangeSet;
  resolve: (records: StoredRecord[]) => void;
  reject: (error: unknown) => void;
};
type Ready = { item: Pending; copied: string[] };
type Outcome = { ok: true; records: StoredRecord[] } | { ok: false; error: unknown };

/** Thrown inside a group when an error ended the whole transaction: the group is redone one by one. */
const TRANSACTION_LOST = Symbol("transaction lost");

export function groupCommitter(db: DatabaseSync, prepare: Prepare, filesDir: string): GroupCommitter {
  let pending: Pending[] = [];

  const alone = ({ changes, resolve, reject }: Pending) => {
    try {
      resolve(commitChangeSet(db, prepare, filesDir, changes));
    } catch (error) {
      reject(error);
    }
  };

  /** One change set (its files already copied) in its savepoint of the open transaction. */
  const inSavepoint = ({ changes }: Pending, copied: string[]): Outcome => {
    prepare("SAVEPOINT change_set").run();
    try {
      const records = applyChangeSet(db, prepare, changes);
      prepare("RELEASE change_set").run();
      return { ok: true, records };
    } catch (error) {
      if (!db.isTransaction) throw TRANSACTION_LOST;
      prepare("ROLLBACK TO change_set").run();
      prepare("RELEASE change_set").run();
      removeCopies(copied);
      return { ok: false, error };
    }
  };

  /** The outcomes once the group is committed; null when nothing of it was (redo one by one). */
  const together = (ready: Ready[]): Outcome[] | null => {
    try {
      const outcomes = ready.map(({ item, copied }) => inSavepoint(item, copied));
      db.exec("COMMIT");
      return outcomes;
    } catch {
      if (db.isTransaction) db.exec("ROLLBACK");
      return null;
    }
  };

  const commitGroup = (group: Pending[]) => {
    if (group.length === 1) return alone(group[0]);
    // File bytes first, outside the write lock, as a commit on its own does (commit.ts).
    const ready: Ready[] = [];
    for (const item of group) {
      try {
        ready.push({ item, copied: copyChangeSetFiles(filesDir, item.changes) });
      } catch (error) {
        item.reject(error);
      }
    }
    if (ready.length === 0) return;
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      for (const { item, copied } of ready) {
        removeCopies(copied);
        item.reject(error);
      }
      return;
    }
    const outcomes = together(ready);
    if (!outcomes) {
      // Nothing was written: each copies its files again and commits on its own.
      for (const { copied } of ready) removeCopies(copied);
      for (const { item } of ready) alone(item);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) ready[i].item.resolve(outcome.records);
      else ready[i].item.reject(outcome.error);
    });
  };

  const flush = () => {
    const batch = pending;
    pending = [];
    for (let start = 0; start < batch.length; start += MAX_GROUP)
      commitGroup(batch.slice(start, start + MAX_GROUP));
  };

  return {
    commit: (changes) =>
      new Promise<StoredRecord[]>((resolve, reject) => {
        pending.push({ changes, resolve, reject });
        // The first change set of a turn schedules the flush; the check phase runs right after
        // the poll phase that delivered the finished actions, so a group waits no longer than that.
        if (pending.length === 1) setImmediate(flush);
      }),
    flush,
  };
}

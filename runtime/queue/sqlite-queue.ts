/**
 * The embedded queue: jobs in a `queue_jobs` table of the store's SQLite file, taken by an
 * in-process runner (one node). Every write is synchronous on the store's connection, so it
 * never interleaves with another transaction of the same connection. Jobs of one record run one
 * after another (a job whose record is busy is skipped, holding no runner, like graphile's named
 * queues on Postgres), so they never conflict. Retries are run-job.ts's, as on Postgres; a job
 * whose handler threw (the store failed before the outcome was recorded) is taken again. Due jobs
 * are taken lowest priority first (the fair order quotas.ts sets at enqueue), as on Postgres.
 */
import { randomUUID } from "node:crypto";
import { inSqliteTransaction, trimCandidatesParams, trimResult } from "../store/index.ts";
import type { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import {
  forgetTicksParams,
  insertRunParams,
  finishParams,
  listSql,
  rowToRun,
  SQL,
  depthFromRows,
  alreadyCommitted,
  publicRun,
  trimRunsSql,
} from "./run-sql.ts";
import { MAIL_PRIORITY, PENDING_SQL, pendingOf, type Quotas } from "./quotas.ts";
import type { JobRef, NewRun, Queue } from "./types.ts";

export interface SqliteQueueOptions {
  concurrency: number;
  /** How often idle runners look for due jobs (a job added on this node wakes them at once). */
  pollMs?: number;
  /** A job locked longer than this (a runner that died) is taken again. */
  lockTimeoutMs: number;
  quotas: Quotas;
}

type Row = Record<string, unknown>;

export function createSqliteQueue(db: DatabaseSync, options: SqliteQueueOptions): Queue {
  const workerId = randomUUID();
  const pollMs = options.pollMs ?? 250;
  const now = () => new Date().toISOString();
  const sleepers = new Set<() => void>();
  const wake = () => {
    for (const resume of sleepers) resume();
  };
  let stopping = false;
  const loops: Promise<void>[] = [];

  const inTransaction = <T>(work: () => T): T => inSqliteTransaction(db, work);
  /** Inserts the run and its first job; false when its key is pending already. */
  const insertRun = (run: NewRun, priority: number): boolean => {
    const inserted = db.prepare(SQL.insertRun).get(...(insertRunParams(run, now(), priority) as never[]));
    if (!inserted) return false;
    insertJob(run.runId, 1, run.runAt ?? new Date(), priority);
    return true;
  };
  const insertJob = (runId: string, attempt: number, runAt: Date, priority: number) => {
    db.prepare("INSERT INTO queue_jobs (run_id, attempt, run_at, priority) VALUES (?, ?, ?, ?)").run(
      runId,
      attempt,
      runAt.getTime(),
      priority,
    );
    wake();
  };
  /** Judges `runs` against the pending limits (quotas.ts); one connection, so the counts are exact. */
  const judge = (runs: NewRun[]) => {
    const pending = db.prepare(PENDING_SQL);
    const counts = new Map(
      options.quotas
        .groupsOf(runs)
        .map((group) => [
          group.key,
          pendingOf(pending.get(...(options.quotas.pendingParams(group) as never[])) as Row | undefined),
        ]),
    );
    return options.quotas.judge(runs, counts);
  };
  /** In the open transaction: the runs admitted by the quotas are inserted; which were (not deduped). */
  const admitAndInsert = (runs: NewRun[]): { inserted: boolean[]; skipped: number } => {
    const { priorities, kept, skipped } = judge(runs);
    return { inserted: runs.map((run, i) => kept[i] && insertRun(run, priorities[i])), skipped };
  };
  /** Rate tokens first (no database work for a flood), given back when the pending check refuses. */
  const withTokens = async <T>(runs: NewRun[], work: () => T): Promise<T> => {
    const refund = options.quotas.takeTokens(runs);
    try {
      return work();
    } catch (error) {
      refund();
      throw error;
    }
  };
  /** Records with a job running on this node, as `workspace:record` (graphile's queue names, Postgres). */
  const busyRecords = new Set<string>();
  const claim = (): (JobRef & { id: number; record: string | null }) | null => {
    const at = Date.now();
    const busy = [...busyRecords];
    const row = db
      .prepare(
        `UPDATE queue_jobs SET locked_at = ?, locked_by = ? WHERE id = (
           SELECT j.id FROM queue_jobs j JOIN queue_runs r ON r.run_id = j.run_id
           WHERE j.run_at <= ? AND (j.locked_at IS NULL OR j.locked_at < ?)
             AND (r.record_id IS NULL OR r.workspace || ':' || r.record_id NOT IN (${busy.map(() => "?").join(", ")}))
           ORDER BY j.priority, j.run_at, j.id LIMIT 1)
         RETURNING id, run_id, attempt,
           (SELECT workspace || ':' || record_id FROM queue_runs WHERE run_id = queue_jobs.run_id) AS record`,
      )
      .get(at, workerId, at, at - options.lockTimeoutMs, ...busy) as Row | undefined;
    if (!row) return null;
    const record = row.record == null ? null : String(row.record);
    if (record) busyRecords.add(record);
    return { id: Number(row.id), runId: String(row.run_id), attempt: Number(row.attempt), record };
  };
  const loop = async (handler: (job: JobRef) => Promise<void>) => {
    while (!stopping) {
      const job = claim();
      if (!job) {
        await new Promise<void>((resolve) => {
          const resume = () => {
            clearTimeout(timer);
            sleepers.delete(resume);
            resolve();
          };
          const timer = setTimeout(resume, pollMs);
          sleepers.add(resume);
        });
        continue;
      }
      try {
        await handler(job);
        db.prepare("DELETE FROM queue_jobs WHERE id = ?").run(job.id);
      } catch {
        // The handler records outcomes itself; a host failure leaves the job to be taken again.
        db.prepare("UPDATE queue_jobs SET locked_at = NULL, run_at = ? WHERE id = ?").run(
          Date.now() + 5_000,
          job.id,
        );
        await sleep(pollMs);
      } finally {
        if (job.record) busyRecords.delete(job.record);
        wake(); // a job waiting for this record may go now
      }
    }
  };

  return {
    engine: "sqlite",
    // Runs on the store's own connection (`db` is it), inside the commit's BEGIN IMMEDIATE.
    commitExtra: ({ enqueue, commitOf, mail = [] }) => ({
      engine: "sqlite",
      apply() {
        if (commitOf && db.prepare(SQL.markCommitted).run(now(), commitOf).changes !== 1)
          throw alreadyCommitted(commitOf);
        admitAndInsert(enqueue);
        for (const run of mail) insertRun(run, MAIL_PRIORITY);
      },
    }),
    quotas: options.quotas,
    admit: (run, earlier) => withTokens([run], () => void judge([...earlier, run])),
    add: (run) =>
      withTokens([run], () => ({
        runId: run.runId,
        deduped: !inTransaction(() => admitAndInsert([run]).inserted[0]),
      })),
    addTick: async (schedule, tick, runs) =>
      inTransaction(() => {
        if (!db.prepare(SQL.claimTick).get(schedule, tick, now())) return { claimed: false, skipped: 0 };
        db.prepare(SQL.forgetTicks).run(...(forgetTicksParams(schedule, tick) as never[]));
        return { claimed: true, skipped: admitAndInsert(runs).skipped };
      }),
    lastTick: async (schedule) => {
      const row = db.prepare(SQL.lastTick).get(schedule) as Row | undefined;
      return row?.tick ? String(row.tick) : null;
    },
    retry: async (runId, attempt, runAt, error) =>
      inTransaction(() => {
        db.prepare(SQL.retry).run(attempt, error.code, error.message, now(), runId);
        const row = db.prepare(SQL.get).get(runId) as Row | undefined;
        insertJob(runId, attempt, runAt, Number(row?.priority ?? 0));
      }),
    start: async (job) => {
      const row = db.prepare(SQL.start).get(now(), job.runId, job.attempt) as Row | undefined;
      return row ? rowToRun(row) : null;
    },
    finish: async (runId, patch) => {
      db.prepare(SQL.finish).run(...(finishParams(runId, patch, now()) as never[]));
    },
    getRun: async (runId) => {
      const row = db.prepare(SQL.get).get(runId) as Row | undefined;
      return row ? rowToRun(row) : null;
    },
    depth: async () => depthFromRows(db.prepare(SQL.depth).all() as Row[]),
    listRuns: async (query) => {
      const { sql, params } = listSql(query);
      return (db.prepare(sql).all(...(params as never[])) as Row[]).map((row) => publicRun(rowToRun(row)));
    },
    trimRuns: async (batch) => {
      const candidates = db.prepare(SQL.trimCandidates).all(...trimCandidatesParams(batch)) as Row[];
      const ids = candidates.map((row) => String(row.id));
      const deleted = ids.length
        ? Number(db.prepare(trimRunsSql(`run_id IN (${ids.map(() => "?").join(", ")})`)).run(...ids).changes)
        : 0;
      return trimResult(
        batch,
        candidates.map((row) => ({ at: String(row.at), id: String(row.id) })),
        deleted,
      );
    },
    rememberDelivery: async (signature, windowMs) =>
      inTransaction(() => {
        db.prepare(SQL.forgetDeliveries).run(new Date(Date.now() - windowMs).toISOString());
        return Boolean(db.prepare(SQL.rememberDelivery).get(signature, now()));
      }),
    forgetDelivery: async (signature) => {
      db.prepare(SQL.forgetDelivery).run(signature);
    },
    // The file is this process's own: the loops never lose it.
    jobsRunning: () => true,
    async work(handler) {
      // One node per SQLite file: a job still locked now was left by a process that died.
      db.prepare(
        "UPDATE queue_jobs SET locked_at = NULL, locked_by = NULL WHERE locked_at IS NOT NULL",
      ).run();
      for (let i = 0; i < options.concurrency; i++) loops.push(loop(handler));
    },
    async close() {
      stopping = true;
      wake();
      await Promise.all(loops);
    },
  };
}

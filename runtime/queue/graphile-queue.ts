/**
 * The shared queue: graphile-worker on the store's Postgres database. Jobs live in graphile's own
 * schema (SKIP LOCKED, LISTEN/NOTIFY); each job names one attempt of a run in `queue_runs`, so
 * enqueueing joins the store's transaction through graphile's public `add_job` SQL function. Jobs of
 * one record share a graphile named queue (`recordQueueName`), which runs them one after another
 * on every node without holding a worker slot while they wait, so they never conflict with each
 * other. A job whose node died is unlocked once the node's heartbeat is older than `deadAfterMs`
 * (graphile-heartbeat.ts; `lockTimeoutMs` for a node without one, graphile-sweep.ts) and taken by
 * another node; the run's commit mark keeps it from applying twice. Every insert passes the
 * quotas (quotas.ts) in its transaction, which also give the job its fair-order priority.
 *
 * Retries have one owner: run-job.ts (the app's `retries` settings: which errors, how long to
 * wait, how many attempts); each attempt of a run is a new graphile job. graphile retries a job
 * itself only when the handler threw before the attempt's outcome was recorded (the store was
 * unreachable): that repeats the same attempt, at most the run's `maxAttempts` times (also the
 * app's setting), with graphile's backoff; after the last one the run is marked dead (onGiveUp).
 */
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import { inPostgresTransaction, trimCandidatesParams, trimResult } from "../store/index.ts";
import {
  alreadyCommitted,
  forgetTicksParams,
  finishParams,
  insertRunParams,
  listSql,
  publicRun,
  rowToRun,
  SQL,
  depthFromRows,
  toPg,
  trimRunsSql,
} from "./run-sql.ts";
import {
  type GraphileRunner,
  type JobPayload,
  recordQueueName,
  startGraphileRunner,
  TASK,
} from "./graphile-runner.ts";
import { QUEUE_GC_LOCK_SQL, queueGcLockParams } from "./graphile-sweep.ts";
import type { HeartbeatOptions } from "./heartbeat-options.ts";
import { MAIL_PRIORITY, PENDING_SQL, pendingOf, type Quotas } from "./quotas.ts";
import type { NewRun, Queue } from "./types.ts";

export interface GraphileQueueOptions {
  databaseUrl: string;
  /** graphile-worker's schema (default graphile_worker), a plain name checked by openQueue's schema. */
  schema?: string;
  concurrency: number;
  lockTimeoutMs: number;
  heartbeat: HeartbeatOptions;
  pollMs?: number;
  onError?: (error: unknown) => void;
  onWarning?: (message: string, details: Record<string, unknown>) => void;
  quotas: Quotas;
}

/**
 * The heartbeat table, in the store's schema (its migrations created it there), named in full:
 * the queue's own pool connects without the store's search_path.
 */
async function heartbeatTable(store: pg.Pool): Promise<string> {
  const { rows } = await store.query("SELECT current_schema() AS schema");
  return `${pg.escapeIdentifier(String(rows[0].schema))}.queue_heartbeats`;
}
type Client = pg.Pool | pg.PoolClient;
/** What a job needs of its run: its record's queue and its attempt limit. */
type JobRun = { workspace: string; recordId?: string | null; maxAttempts: number };

export async function createGraphileQueue(store: pg.Pool, options: GraphileQueueOptions): Promise<Queue> {
  const schema = options.schema ?? "graphile_worker";
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency + 4 });
  // A dropped idle connection is replaced by the pool; a client's own error ends only its query.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const quiet = new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") options.onError?.(new Error(`graphile-worker: ${message}`));
  });
  await runMigrations({ pgPool: pool, schema, logger: quiet });
  const heartbeat = { ...options.heartbeat, table: await heartbeatTable(store) };
  const now = () => new Date().toISOString();
  const q = async (client: Client, sql: string, params: unknown[]) =>
    (await client.query(toPg(sql), params)).rows;
  /** One attempt of a run as a graphile job, in the caller's open transaction. */
  const addJob = async (
    client: pg.PoolClient,
    job: JobPayload,
    run: JobRun,
    runAt: Date,
    priority: number,
  ) => {
    const queueName = recordQueueName(run.workspace, run.recordId);
    if (queueName) await client.query(QUEUE_GC_LOCK_SQL, queueGcLockParams(schema));
    await client.query(
      `SELECT "${schema}".add_job($1, $2::json, queue_name => $3, run_at => $4, max_attempts => $5, priority => $6)`,
      [TASK, JSON.stringify(job), queueName, runAt.toISOString(), run.maxAttempts, priority],
    );
  };
  const insertRun = async (client: pg.PoolClient, run: NewRun, priority: number): Promise<boolean> => {
    const inserted = await q(client, SQL.insertRun, insertRunParams(run, now(), priority));
    if (inserted.length === 0) return false;
    await addJob(client, { runId: run.runId, attempt: 1 }, run, run.runAt ?? new Date(), priority);
    return true;
  };
  const { quotas } = options;
  /**
   * Judges `runs` against the pending limits (quotas.ts). In a transaction (`locked`), each
   * user's counts are taken under a transaction advisory lock on (workspace, app, user), in key
   * order, so two nodes enqueueing for one user cannot both see room for the last run; the count
   * is its own statement after the lock, so its snapshot sees what the lock's last holder committed.
   */
  const judge = async (client: Client, runs: NewRun[], locked: boolean) => {
    const counts = new Map<string, ReturnType<typeof pendingOf>>();
    for (const group of quotas.groupsOf(runs)) {
      if (locked)
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
          `comind-quota:${JSON.stringify([group.workspace, group.app, group.actor])}`,
        ]);
      counts.set(group.key, pendingOf((await q(client, PENDING_SQL, quotas.pendingParams(group)))[0]));
    }
    return quotas.judge(runs, counts);
  };
  const admitAndInsert = async (client: pg.PoolClient, runs: NewRun[]) => {
    const { priorities, kept, skipped } = await judge(client, runs, true);
    const inserted: boolean[] = [];
    for (const [i, run] of runs.entries())
      inserted.push(kept[i] && (await insertRun(client, run, priorities[i])));
    return { inserted, skipped };
  };
  /** Rate tokens first (no database work for a flood), given back when the pending check refuses. */
  const withTokens = async <T>(runs: NewRun[], work: () => Promise<T>): Promise<T> => {
    const refund = quotas.takeTokens(runs);
    try {
      return await work();
    } catch (error) {
      refund();
      throw error;
    }
  };
  // The store's transaction helper: a dropped connection fails the transaction, not the process,
  // and a connection lost during COMMIT is `commit_unknown`, as for every other write.
  const inTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    inPostgresTransaction(store, work);
  let runner: GraphileRunner | null = null;
  let closed: Promise<void> | undefined;

  return {
    engine: "postgres",
    commitExtra: ({ enqueue, commitOf, mail = [] }) => ({
      engine: "postgres",
      async apply(client) {
        if (commitOf && (await client.query(toPg(SQL.markCommitted), [now(), commitOf])).rowCount !== 1)
          throw alreadyCommitted(commitOf);
        if (enqueue.length > 0) await admitAndInsert(client, enqueue);
        for (const run of mail) await insertRun(client, run, MAIL_PRIORITY);
      },
    }),
    quotas,
    admit: (run, earlier) =>
      withTokens([run], async () => void (await judge(store, [...earlier, run], false))),
    add: (run) =>
      withTokens([run], async () => ({
        runId: run.runId,
        deduped: !(await inTransaction(async (client) => (await admitAndInsert(client, [run])).inserted[0])),
      })),
    addTick: (scheduleId, tick, runs) =>
      inTransaction(async (client) => {
        if ((await q(client, SQL.claimTick, [scheduleId, tick, now()])).length === 0)
          return { claimed: false, skipped: 0 };
        await q(client, SQL.forgetTicks, forgetTicksParams(scheduleId, tick));
        return { claimed: true, skipped: (await admitAndInsert(client, runs)).skipped };
      }),
    lastTick: async (scheduleId) => {
      const rows = await q(store, SQL.lastTick, [scheduleId]);
      return rows[0]?.tick ? String(rows[0].tick) : null;
    },
    retry: (runId, attempt, runAt, error) =>
      inTransaction(async (client) => {
        await q(client, SQL.retry, [attempt, error.code, error.message, now(), runId]);
        const row = (await q(client, SQL.get, [runId]))[0];
        if (!row) return;
        const run = rowToRun(row);
        await addJob(client, { runId, attempt }, run, runAt, Number(row.priority ?? 0));
      }),
    start: async (job) => {
      const rows = await q(store, SQL.start, [now(), job.runId, job.attempt]);
      return rows[0] ? rowToRun(rows[0]) : null;
    },
    finish: async (runId, patch) => {
      await q(store, SQL.finish, finishParams(runId, patch, now()));
    },
    getRun: async (runId) => {
      const rows = await q(store, SQL.get, [runId]);
      return rows[0] ? rowToRun(rows[0]) : null;
    },
    depth: async () => depthFromRows(await q(store, SQL.depth, [])),
    listRuns: async (query) => {
      const { sql, params } = listSql(query);
      return (await q(store, sql, params)).map((row) => publicRun(rowToRun(row)));
    },
    trimRuns: async (batch) => {
      const candidates = await q(store, SQL.trimCandidates, trimCandidatesParams(batch));
      const ids = candidates.map((row) => String(row.id));
      const deleted = ids.length
        ? ((await store.query(trimRunsSql("run_id = ANY($1::text[])"), [ids])).rowCount ?? 0)
        : 0;
      return trimResult(
        batch,
        candidates.map((row) => ({ at: String(row.at), id: String(row.id) })),
        deleted,
      );
    },
    rememberDelivery: (signature, windowMs) =>
      inTransaction(async (client) => {
        await q(client, SQL.forgetDeliveries, [new Date(Date.now() - windowMs).toISOString()]);
        return (await q(client, SQL.rememberDelivery, [signature, now()])).length === 1;
      }),
    forgetDelivery: async (signature) => {
      await q(store, SQL.forgetDelivery, [signature]);
    },
    jobsRunning: () => runner?.running() ?? true,
    async work(handler) {
      runner = await startGraphileRunner(
        {
          pool,
          schema,
          concurrency: options.concurrency,
          lockTimeoutMs: options.lockTimeoutMs,
          heartbeat,
          pollMs: options.pollMs,
          logger: quiet,
          onError: options.onError,
          onWarning: options.onWarning,
          // graphile gave up redelivering an attempt whose outcome could not be recorded: the
          // run is dead rather than left "running" for ever.
          onGiveUp: async (job) => {
            const error = {
              code: "internal_error",
              message: `Attempt ${job.attempt} could not record its outcome (see the server log); the run was given up.`,
            };
            await q(store, SQL.giveUp, [now(), error.code, error.message, job.runId, job.attempt]);
          },
        },
        handler,
      );
    },
    close() {
      // Once: a second close (a shutdown racing a test's own stop) must not release graphile twice.
      closed ??= (async () => {
        await runner?.stop();
        await pool.end();
      })();
      return closed;
    },
  };
}

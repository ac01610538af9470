/**
 * The one queue interface: graphile-worker on Postgres, an in-process runner over a jobs table on
 * SQLite. Both keep each async run's state in `queue_runs` beside the records, so an action's
 * outbox (the runs it enqueues) and its own commit mark join the action's transaction.
 */
import type { InboundRequest } from "../../globals/bridge-contract.ts";
import type { RunCaller } from "../access/index.ts";
import type { ErrorCode } from "../errors.ts";
import type { CommitExtra, TrimBatch, TrimResult } from "../store/index.ts";
import type { Quotas } from "./quotas.ts";
import type { QueueDepth } from "../metrics/index.ts";

/** What a webhook or an incoming e-mail hands the logic as `ComindServer.request`. */
export type { InboundRequest };

/** A run to enqueue: which action on which record, and when. */
export interface NewRun {
  runId: string;
  workspace: string;
  app: string;
  action: string;
  /** Omitted: the action runs on a new record (an async `add`, a schedule, a webhook). */
  recordId?: string;
  values?: Record<string, unknown>;
  /** Who the run is for; authorized when queued and again when it runs. */
  caller: RunCaller;
  /** "async", "enqueue", "schedule", "webhook", "email". */
  source: string;
  maxAttempts: number;
  runAt?: Date;
  /** Dedupes: no second pending run with this key in the workspace. */
  key?: string;
  request?: InboundRequest;
  /** The schedule tick a scheduled run belongs to. */
  tick?: string;
  /** W3C traceparent of the span that queued it (tracing on): the run's span links to it. */
  traceparent?: string;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "dead";

/** One async run as the API and the CLI show it. */
export interface RunDoc {
  runId: string;
  app: string;
  action: string;
  recordId: string | null;
  source: string;
  /** Who started it (a user id, or "scheduler" / "webhook"). */
  actor: string;
  status: RunStatus;
  attempt: number;
  maxAttempts: number;
  createdAt: string;
  updatedAt: string;
  tick?: string;
  error?: { code: ErrorCode; message: string };
  /** The synchronous run's document (`ok`, `entity` or `error`, `logs`, ...) once it ran. */
  result?: Record<string, unknown>;
}

/** What a worker picks up: one attempt of one run. */
export interface JobRef {
  runId: string;
  attempt: number;
}

/** A run as stored: the spec it was enqueued with plus its state. */
export interface StoredRun extends RunDoc {
  workspace: string;
  spec: NewRun;
  committed: boolean;
}

export interface RunPatch {
  status: RunStatus;
  result?: Record<string, unknown>;
  error?: { code: ErrorCode; message: string } | null;
}

export interface RunListQuery {
  workspace: string;
  app?: string;
  /** Only runs this user started. */
  actor?: string;
  failedOnly?: boolean;
  status?: RunStatus;
  limit?: number;
}

export interface Queue {
  readonly engine: "sqlite" | "postgres";
  /**
   * Rows that join an action's commit: the runs it enqueued (outbox), the e-mails it asked for
   * (`mail`: the platform's own follow-ups, outside the enqueue quotas, taken first) and, for a
   * job's own run, its commit mark (a second commit of the same run fails and rolls back).
   */
  commitExtra(args: { enqueue: NewRun[]; commitOf?: string; mail?: NewRun[] }): CommitExtra;
  /** The enqueue quotas every way of queueing a run goes through (quotas.ts). */
  readonly quotas: Quotas;
  /**
   * Before an action's commit (ComindServer.enqueue): takes `run`'s rate token and checks the
   * pending limits with the action's `earlier` enqueues, throwing `rate_limited` into the logic.
   * The commit checks the pending limits again (exactly, in its transaction).
   */
  admit(run: NewRun, earlier: NewRun[]): Promise<void>;
  /**
   * Enqueues outside an action, in its own transaction; `deduped` when `key` was pending.
   * Throws `rate_limited` (with retryAfterSeconds) over a quota.
   */
  add(run: NewRun): Promise<{ runId: string; deduped: boolean }>;
  /**
   * Claims one schedule tick and enqueues its runs atomically; `claimed` false when another node
   * had it. Runs over the app's pending limit are left out and counted in `skipped`.
   */
  addTick(schedule: string, tick: string, runs: NewRun[]): Promise<{ claimed: boolean; skipped: number }>;
  /** The latest tick any node claimed for a schedule. */
  lastTick(schedule: string): Promise<string | null>;
  /** Queues the next attempt of a run at `runAt` (status back to queued). */
  retry(
    runId: string,
    attempt: number,
    runAt: Date,
    error: { code: ErrorCode; message: string },
  ): Promise<void>;
  /** Marks the attempt as running; false when the job is stale (another attempt or a finished run). */
  start(job: JobRef): Promise<StoredRun | null>;
  finish(runId: string, patch: RunPatch): Promise<void>;
  getRun(runId: string): Promise<StoredRun | null>;
  /** Runs per state (queued, running, failed, dead) and the age of the oldest queued/running one (/metrics). */
  depth(): Promise<QueueDepth[]>;
  listRuns(query: RunListQuery): Promise<RunDoc[]>;
  /**
   * One batch of the retention job: deletes finished runs (succeeded, failed, dead) last updated
   * before `batch.before`; the result says where the next batch starts.
   */
  trimRuns(batch: TrimBatch): Promise<TrimResult>;
  /** Remembers a webhook signature; false when it was seen within `windowMs` (a replay). */
  rememberDelivery(signature: string, windowMs: number): Promise<boolean>;
  /** Forgets a delivery that was refused after it was remembered (its sender may send it again). */
  forgetDelivery(signature: string): Promise<void>;
  /**
   * False while this node's job runner is stopped, waiting for its database to answer again (it
   * then starts by itself); true otherwise, also on a node that takes no jobs.
   */
  jobsRunning(): boolean;
  /** Starts taking jobs (at most `concurrency` at a time) and handing them to `handler`. */
  work(handler: (job: JobRef) => Promise<void>): Promise<void>;
  /** Stops taking jobs, waits for running ones, releases connections. */
  close(): Promise<void>;
}

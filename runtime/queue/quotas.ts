/**
 * Admission of new runs to the queue (issue 22): every way a run is queued — REST async, webhooks,
 * ComindServer.enqueue (in the action's commit), schedule ticks — passes `judge` inside the
 * transaction that inserts it, so the pending limits hold for all of them and across nodes (the
 * counts come from `queue_runs`); REST, webhooks and logic also take rate tokens (`takeTokens`,
 * per node). Schedule ticks take no tokens and are not held to the scheduler's user limit; a tick
 * that meets a full app enqueues what fits and reports the rest (`skipped`).
 *
 * `judge` also sets each run's priority for fair scheduling: jobs are taken lowest priority
 * first, and a run's priority is the number of runs its user already has pending in the app plus
 * one step per APP_PRIORITY_STEP pending runs of the whole app. So a user's 300th queued run
 * waits behind everybody's first, second, ... runs: one user's (or app's) flood sinks below the
 * runs of everybody else instead of delaying them.
 */
import { actorOf } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";
import { DEFAULT_QUOTAS, effectiveLimits, parseServerQuotas, type QuotaLimits } from "./quota-limits.ts";
import { TokenBuckets } from "./token-bucket.ts";
import type { NewRun } from "./types.ts";

/** Pending runs of a whole app worth one priority step (a single user's run is worth one). */
export const APP_PRIORITY_STEP = 100;
/** E-mails after a commit go first: they are short and a person is waiting for them. */
export const MAIL_PRIORITY = 0;
/** graphile-worker keeps priorities in a smallint. */
const MAX_PRIORITY = 32_767;
/** Retry-After of a refusal over a pending limit: runs must finish first, which takes a while. */
export const PENDING_RETRY_AFTER_SECONDS = 5;

/**
 * Pending runs of one user in one app and of the whole app, each counted up to `limit + 1` (a
 * flood costs the check no more than its limit). `?` placeholders, both engines; the partial
 * index queue_runs_pending covers it.
 */
export const PENDING_SQL = `SELECT
  (SELECT COUNT(*) FROM (SELECT 1 FROM queue_runs WHERE workspace = ? AND app = ? AND actor = ?
    AND status IN ('queued', 'running') LIMIT ?) AS mine) AS user_pending,
  (SELECT COUNT(*) FROM (SELECT 1 FROM queue_runs WHERE workspace = ? AND app = ?
    AND status IN ('queued', 'running') LIMIT ?) AS theirs) AS app_pending`;

/** The runs of one user in one app, counted together. */
export interface QuotaGroup {
  key: string;
  workspace: string;
  app: string;
  actor: string;
  limits: QuotaLimits;
}

export interface PendingCounts {
  user: number;
  app: number;
}

const isScheduled = (run: NewRun) => run.source === "schedule";

export function rateLimited(message: string, retryAfterSeconds: number): RuntimeError {
  const error = new RuntimeError("rate_limited", message);
  error.retryAfterSeconds = retryAfterSeconds;
  return error;
}

export class Quotas {
  readonly server: QuotaLimits;
  private readonly buckets: TokenBuckets;
  private appQuotas: (app: string) => Partial<QuotaLimits> | undefined = () => undefined;

  constructor(server: Partial<QuotaLimits> = {}, now: () => number = Date.now) {
    this.server = { ...DEFAULT_QUOTAS, ...stripUndefined(parseServerQuotas(server)) };
    this.buckets = new TokenBuckets(now);
  }

  /** Where the apps' own (stricter) quotas come from: their settings/index.ts. */
  useAppQuotas(lookup: (app: string) => Partial<QuotaLimits> | undefined): void {
    this.appQuotas = lookup;
  }

  limitsOf(app: string): QuotaLimits {
    return effectiveLimits(this.server, this.appQuotas(app));
  }

  /** The (workspace, app, user) groups of `runs`, sorted by key (Postgres locks them in this order). */
  groupsOf(runs: NewRun[]): QuotaGroup[] {
    const groups = new Map<string, QuotaGroup>();
    for (const run of runs) {
      const key = groupKey(run);
      if (!groups.has(key))
        groups.set(key, {
          key,
          workspace: run.workspace,
          app: run.app,
          actor: actorOf(run.caller),
          limits: this.limitsOf(run.app),
        });
    }
    return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** PENDING_SQL's parameters for one group. */
  pendingParams(group: QuotaGroup): unknown[] {
    const { workspace, app, actor, limits } = group;
    return [workspace, app, actor, limits.pendingPerUser + 1, workspace, app, limits.pendingPerApp + 1];
  }

  /**
   * Takes one rate token per run from its user's and its app's buckets (this node), or throws
   * `rate_limited`; schedule ticks take none. Returns the refund for when the runs are refused later.
   */
  takeTokens(runs: NewRun[]): () => void {
    const taken: { wants: ReturnType<typeof bucketsOf>; count: number }[] = [];
    const refund = () => {
      for (const { wants, count } of taken) this.buckets.refund(wants, count);
    };
    const byGroup = new Map<string, NewRun[]>();
    for (const run of runs.filter((run) => !isScheduled(run)))
      byGroup.set(groupKey(run), [...(byGroup.get(groupKey(run)) ?? []), run]);
    for (const group of byGroup.values()) {
      const run = group[0];
      const wants = bucketsOf(run, this.limitsOf(run.app));
      const wait = this.buckets.take(wants, group.length);
      if (wait > 0) {
        refund();
        const limits = this.limitsOf(run.app);
        throw rateLimited(
          `Runs of app ${run.app} are enqueued too fast (at most ${limits.ratePerUser}/s per user, bursts of ${limits.burstPerUser}; ${limits.ratePerApp}/s for the app): retry in ${wait} s.`,
          wait,
        );
      }
      taken.push({ wants, count: group.length });
    }
    return refund;
  }

  /**
   * Checks `runs` against the pending limits given the counts of their groups (taken in the
   * inserting transaction), and gives each its priority. `refuse`: any run over a limit refuses
   * them all (`rate_limited`). Schedule runs are not held to their user's limit; over the app's
   * they are left out (`kept[i]` false) rather than refusing the tick.
   */
  judge(
    runs: NewRun[],
    counts: Map<string, PendingCounts>,
  ): { priorities: number[]; kept: boolean[]; skipped: number } {
    const userAdded = new Map<string, number>();
    const appAdded = new Map<string, number>();
    const priorities: number[] = [];
    const kept: boolean[] = [];
    let skipped = 0;
    for (const run of runs) {
      const key = groupKey(run);
      const appKey = `${run.workspace}\u0000${run.app}`;
      const counted = counts.get(key) ?? { user: 0, app: 0 };
      const user = counted.user + (userAdded.get(key) ?? 0);
      const app = counted.app + (appAdded.get(appKey) ?? 0);
      const limits = this.limitsOf(run.app);
      if (app >= limits.pendingPerApp) {
        if (isScheduled(run)) {
          kept.push(false);
          priorities.push(0);
          skipped++;
          continue;
        }
        throw rateLimited(
          `App ${run.app} has ${limits.pendingPerApp.toLocaleString("en-US")} runs queued or running, the most it may have: retry once some have finished.`,
          PENDING_RETRY_AFTER_SECONDS,
        );
      }
      if (user >= limits.pendingPerUser && !isScheduled(run))
        throw rateLimited(
          `You have ${limits.pendingPerUser.toLocaleString("en-US")} runs of app ${run.app} queued or running, the most one user may have: retry once some have finished.`,
          PENDING_RETRY_AFTER_SECONDS,
        );
      priorities.push(Math.min(user + Math.floor(app / APP_PRIORITY_STEP), MAX_PRIORITY));
      kept.push(true);
      userAdded.set(key, (userAdded.get(key) ?? 0) + 1);
      appAdded.set(appKey, (appAdded.get(appKey) ?? 0) + 1);
    }
    return { priorities, kept, skipped };
  }
}

function groupKey(run: NewRun): string {
  return `${run.workspace}\u0000${run.app}\u0000${actorOf(run.caller)}`;
}

function bucketsOf(run: NewRun, limits: QuotaLimits) {
  return [
    { key: `user\u0000${groupKey(run)}`, rate: limits.ratePerUser, burst: limits.burstPerUser },
    { key: `app\u0000${run.workspace}\u0000${run.app}`, rate: limits.ratePerApp, burst: limits.burstPerApp },
  ];
}

function stripUndefined(limits: Partial<QuotaLimits>): Partial<QuotaLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/** Reads one PENDING_SQL row (SQLite numbers, Postgres bigint strings). */
export function pendingOf(row: Record<string, unknown> | undefined): PendingCounts {
  return { user: Number(row?.user_pending ?? 0), app: Number(row?.app_pending ?? 0) };
}

/**
 * Schedules of settings/index.ts. Every node walks every schedule's ticks (croner, UTC) and tries
 * to claim each tick: the claim is a unique row per schedule and tick, inserted in the same
 * transaction as the tick's runs, so exactly one node runs each tick however many there are.
 * After downtime the missed ticks are run once (the latest, `backfill: true`) or reported.
 * Time comes from a `SchedulerClock` (the real one by default), so tests drive ticks with a fake
 * clock instead of sleeping through them.
 */
import { randomUUID } from "node:crypto";
import { Cron } from "croner";
import { type RunCaller, systemPrincipal } from "../access/index.ts";
import type { LoadedApp } from "../actions/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import { parseRlx } from "../rlx/index.ts";
import type { NewRun, Queue, ScheduleSpec } from "../queue/index.ts";

/** Schedules run as the system caller `system:schedule` (an admin grants it rights like a group). */
export const SCHEDULE_CALLER: RunCaller = { kind: "system", name: "schedule" };
/** Missed ticks counted at start-up at most (older ones are not looked at). */
const MAX_MISSED = 10_000;
const MAX_RECORDS_PER_TICK = 10_000;

/** Where the scheduler reads the time and sets its timers. */
export interface SchedulerClock {
  now(): number;
  /** Calls `fire` after `ms`; a fake clock may await what `fire` returns (the tick's claim). */
  setTimer(fire: () => Promise<void>, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

export const REAL_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (fire, ms) => setTimeout(fire, ms),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export interface SchedulerLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

async function runsFor(
  runtime: ActionRuntime,
  app: LoadedApp,
  spec: ScheduleSpec,
  tick: string,
): Promise<NewRun[]> {
  // Checked when the tick is queued and again when each run runs (the grants of system:schedule).
  await runtime.authorize({ app: app.alias, action: spec.action, caller: SCHEDULE_CALLER });
  const base = {
    workspace: runtime.config.workspace,
    app: app.alias,
    action: spec.action,
    caller: SCHEDULE_CALLER,
    source: "schedule",
    maxAttempts: app.queue.retries.maxAttempts,
    tick,
  };
  if (spec.records === "new") return [{ ...base, runId: randomUUID() }];
  const filter = parseRlx(spec.records, { currentUser: systemPrincipal("schedule") });
  const records = await runtime.config.store.findRecords({
    workspace: runtime.config.workspace,
    app: app.alias,
    filter,
    limit: MAX_RECORDS_PER_TICK,
  });
  return records.map((record) => ({ ...base, runId: randomUUID(), recordId: record.id }));
}

function missedTicks(cron: Cron, since: Date, now: Date): Date[] {
  const missed: Date[] = [];
  let cursor = since;
  while (missed.length < MAX_MISSED) {
    const next = cron.nextRun(cursor);
    if (!next || next > now) break;
    missed.push(next);
    cursor = next;
  }
  return missed;
}

/** A running scheduler: `reloadApp` swaps one app's schedules (dev's rebuild), `stop` ends all. */
export interface Scheduler {
  /**
   * Walks the schedules of `app` as it is now, instead of those of its previous build: a schedule
   * removed or changed in settings/index.ts stops firing, a new one starts (from now: ticks the
   * old settings did not have are not "missed").
   */
  reloadApp(app: LoadedApp): void;
  stop(): void;
}

/** One app's walkers: their timers, and whether they were replaced or stopped. */
interface AppWalk {
  timers: Set<unknown>;
  stopped: boolean;
}

/** Starts walking every schedule of the runtime's apps. */
export function startScheduler(
  runtime: ActionRuntime,
  queue: Queue,
  log: SchedulerLog,
  clock: SchedulerClock = REAL_CLOCK,
): Scheduler {
  const walks = new Map<string, AppWalk>();
  let stopped = false;
  const claim = async (app: LoadedApp, spec: ScheduleSpec, tick: Date) => {
    const iso = tick.toISOString();
    try {
      const runs = await runsFor(runtime, app, spec, iso);
      const { skipped } = await queue.addTick(spec.id, iso, runs);
      if (skipped > 0)
        log.warn(
          { schedule: spec.id, tick: iso, skipped, of: runs.length },
          "schedule tick: runs left out, the app has as many runs queued or running as its quota allows (pendingPerApp)",
        );
    } catch (error) {
      log.error(
        { schedule: spec.id, tick: iso, error: String(error) },
        "schedule tick could not be enqueued",
      );
    }
  };
  const walk = (state: AppWalk, app: LoadedApp, spec: ScheduleSpec, cron: Cron, cursor: Date) => {
    if (stopped || state.stopped) return;
    const next = cron.nextRun(cursor);
    if (!next) return;
    const timer = clock.setTimer(
      async () => {
        state.timers.delete(timer);
        if (state.stopped) return;
        await claim(app, spec, next);
        walk(state, app, spec, cron, next);
      },
      Math.max(next.getTime() - clock.now(), 0),
    );
    state.timers.add(timer);
  };
  const begin = async (state: AppWalk, app: LoadedApp, spec: ScheduleSpec, catchUp: boolean) => {
    const cron = new Cron(spec.cron, { paused: true, timezone: "UTC" });
    const now = new Date(clock.now());
    const last = catchUp ? await queue.lastTick(spec.id) : null;
    const missed = last ? missedTicks(cron, new Date(last), now) : [];
    if (missed.length > 0 && spec.backfill) await claim(app, spec, missed[missed.length - 1]);
    else if (missed.length > 0)
      log.warn(
        { schedule: spec.id, missed: missed.length, from: missed[0].toISOString() },
        "schedule ticks were missed while no node ran (backfill: false, so they are not run)",
      );
    walk(state, app, spec, cron, now);
  };
  const startApp = (app: LoadedApp, catchUp: boolean) => {
    const state: AppWalk = { timers: new Set(), stopped: false };
    walks.set(app.alias, state);
    for (const spec of app.queue.schedules) {
      begin(state, app, spec, catchUp).catch((error) =>
        log.error({ schedule: spec.id, error: String(error) }, "schedule could not start"),
      );
    }
  };
  const stopApp = (alias: string) => {
    const state = walks.get(alias);
    if (!state) return;
    state.stopped = true;
    for (const timer of state.timers) clock.clearTimer(timer);
    state.timers.clear();
    walks.delete(alias);
  };
  for (const app of runtime.apps.values()) startApp(app, true);
  return {
    reloadApp(app) {
      if (stopped) return;
      stopApp(app.alias);
      startApp(app, false);
    },
    stop() {
      stopped = true;
      for (const alias of [...walks.keys()]) stopApp(alias);
    },
  };
}

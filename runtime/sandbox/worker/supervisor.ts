/**
 * Runs actions in a small pool of worker processes and keeps that pool alive: a worker that dies
 * (V8 fatal OOM, native crash, kill -9) fails only the actions it was running, with code
 * `worker_crashed`, and is replaced. Host calls from the workers are served here, so records and
 * files keep one home: the server process; outbound requests are sent by the worker under the
 * policy and budget handed over with the run, and their call log comes back here (worker-http.ts).
 * Actions go only to workers that finished booting; a spare worker boots ahead of need and takes a dead worker's place at once, so a
 * crash does not stall the actions that follow. A run whose message cannot be sent (e.g. values
 * nested too deep to serialise) fails on its own and leaves nothing behind in `running`.
 *
 * Placement (issue 27): an app has a home worker, chosen by a hash of its alias, so its warm
 * isolate lives in one worker and the warm isolates of many apps spread over all of them; a run
 * goes home unless another ready worker is running fewer actions (a busy app spills over). Each
 * worker keeps its share of the warm-isolate budget (IsolatePool's warmBudgetMb); `prewarm`
 * builds apps' isolates in their home workers ahead of their first action.
 *
 * @example
 *   const workers = new WorkerSupervisor({ size: 2 });
 *   const runtime = await createActionRuntime({ store, execute: workers.execute });
 */
import { fork, type ChildProcess } from "node:child_process";
import { type ErrorCode, toErrorCode } from "../../errors.ts";
import { globalsScript } from "../../bundle/index.ts";
import { moduleFile } from "../../paths.ts";
import type { IsolatePool } from "../isolate-pool.ts";
import { ASYNC_CALLS } from "../bridge.ts";
import type { SandboxOutcome, SandboxRun } from "../execute.ts";
import { warmUpRun } from "../warm-up.ts";
import type { FromWorker, ToWorker, WorkerStats } from "./protocol.ts";
import { loweredNice } from "./priority.ts";
import type { HttpHandOff } from "../../host/index.ts";

const ENTRY = moduleFile(import.meta.dirname, "worker-main");

interface Running {
  run: SandboxRun;
  resolve: (outcome: SandboxOutcome) => void;
}

interface Worker {
  proc: ChildProcess;
  /** Booted (sent "ready"): only ready workers get actions. */
  ready: boolean;
  running: Map<number, Running>;
  apps: Set<string>;
  stats: Map<number, (stats: WorkerStats) => void>;
  prewarms: Map<number, (built: boolean) => void>;
  /** Prewarms of this worker run one after another (actions go between them). */
  prewarmChain: Promise<unknown>;
  /** Its warm budget had no room for a prewarm: the remaining prewarms of this round are skipped. */
  warmFull: boolean;
}

/**
 * A run goes to its app's home worker unless that one runs this many more actions than the least
 * busy worker: one app under load spreads over the workers, while many apps' first runs arriving
 * together do not each leave a second warm isolate in a worker that is not their home.
 */
const SPILL_AFTER = 2;

/** An app's key starts with its alias (`ALIAS:hash:memory`, actions/app-loader.ts). */
const aliasOf = (key: string) => (key.includes(":") ? key.slice(0, key.indexOf(":")) : key);

/** FNV-1a: a stable, well-spread hash of an alias (the same worker across restarts and deploys). */
export function aliasHash(alias: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < alias.length; i++) {
    hash ^= alias.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class WorkerSupervisor {
  readonly size: number;
  crashes = 0;
  private readonly workers: Worker[] = [];
  /** Booted ahead of need; replaces the next worker that dies. */
  private spare: Worker | null = null;
  private readonly spares: number;
  /** Isolate memory of each worker process (IsolatePool's memoryBudgetMb there). */
  private readonly memoryBudgetMb: number | undefined;
  /** Runs that arrived while no worker was ready. */
  private waiting: (() => void)[] = [];
  private nextRunId = 1;
  /** Ids of stats and prewarm requests, unique across calls: two concurrent calls must not take each other's replies. */
  private nextStatsId = 1;
  /** Each worker's share of the warm-isolate budget, MB (undefined: no cap). */
  private readonly warmBudgetMb: number | undefined;
  /** How much lower the workers' CPU priority is than this process's (worker/priority.ts). */
  private readonly nice: number;
  private readonly onBooted: (pid: number) => unknown;
  /** Waiting for every worker (not the spare) to be ready. */
  private servingWaiters: (() => void)[] = [];
  private closing = false;
  private readonly onCrash: (info: {
    pid: number | undefined;
    code: number | null;
    signal: string | null;
    actions: number;
  }) => void;

  /**
   * @param options.spare workers booted ahead of need (0 or 1, default 1)
   * @param options.memoryBudgetMb isolate memory of each worker (default: no cap)
   * @param options.warmBudgetMb idle warm isolates of all workers together, MB, shared equally (default: no cap)
   * @param options.nice how much lower the workers' CPU priority is than this process's (0–19, default 0)
   * @param options.onBooted awaited when a worker process has booted, before it takes actions (tests hold a start with it)
   */
  constructor(options: {
    size: number;
    spare?: number;
    memoryBudgetMb?: number;
    warmBudgetMb?: number;
    nice?: number;
    onBooted?: (pid: number) => unknown;
    onCrash?: WorkerSupervisor["onCrash"];
  }) {
    this.size = Math.max(1, options.size);
    this.memoryBudgetMb = options.memoryBudgetMb;
    this.nice = options.nice ?? 0;
    this.warmBudgetMb =
      options.warmBudgetMb === undefined
        ? undefined
        : Math.max(1, Math.floor(options.warmBudgetMb / this.size));
    this.onBooted = options.onBooted ?? (() => undefined);
    this.spares = Math.min(1, Math.max(0, options.spare ?? 1));
    this.onCrash = options.onCrash ?? (() => undefined);
    for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
    if (this.spares) this.spare = this.spawn();
  }

  private spawn(): Worker {
    const budgets = [String(this.memoryBudgetMb ?? 0), String(this.warmBudgetMb ?? 0)];
    const proc = fork(ENTRY, [...budgets, String(this.nice)], {
      execArgv: ["--no-node-snapshot"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const worker: Worker = {
      proc,
      ready: false,
      running: new Map(),
      apps: new Set(),
      stats: new Map(),
      prewarms: new Map(),
      prewarmChain: Promise.resolve(),
      warmFull: false,
    };
    proc.on("message", (message: FromWorker) => void this.handle(worker, message));
    proc.on("exit", (code, signal) => this.exited(worker, code, signal));
    proc.on("error", () => undefined); // 'exit' follows and does the work
    return worker;
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    if (this.closing) return;
    if (worker === this.spare) {
      this.crashes += 1;
      this.spare = this.spawn();
      return;
    }
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    this.crashes += 1;
    this.onCrash({ pid: worker.proc.pid, code, signal, actions: worker.running.size });
    for (const { resolve } of worker.running.values()) {
      const message =
        "The worker process running the action died (for example a fatal out-of-memory); nothing was written. Retry the action.";
      resolve({
        ok: false,
        error: { code: "worker_crashed", message, stack: `Error: ${message}` },
        cpuMs: 0,
      });
    }
    worker.running.clear();
    for (const reply of worker.stats.values()) reply(this.unanswered(worker));
    worker.stats.clear();
    for (const reply of worker.prewarms.values()) reply(false);
    worker.prewarms.clear();
    if (this.spare) {
      this.workers[index] = this.spare;
      this.spare = this.spawn();
      this.dispatchWaiting();
    } else this.workers[index] = this.spawn();
  }

  private dispatchWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const start of waiting) start();
    if (this.serving()) {
      const waiters = this.servingWaiters;
      this.servingWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** A worker said it booted: after `onBooted`, it takes actions. */
  private async booted(worker: Worker): Promise<void> {
    try {
      await this.onBooted(worker.proc.pid ?? 0);
    } catch {
      // a hook's failure does not keep a booted worker from working
    }
    if (worker.proc.exitCode !== null || worker.proc.signalCode !== null) return;
    worker.ready = true;
    if (this.workers.includes(worker)) this.dispatchWaiting();
  }

  private async handle(worker: Worker, message: FromWorker): Promise<void> {
    if (message.type === "stats") return worker.stats.get(message.requestId)?.(message.stats);
    if (message.type === "ready") {
      // One bundle for every worker: built here once instead of by a bundler in each worker.
      const code = await globalsScript();
      if (worker.proc.connected) worker.proc.send({ type: "globals", code } satisfies ToWorker);
      return this.booted(worker);
    }
    if (message.type === "prewarmed") {
      if (message.full) worker.warmFull = true;
      worker.prewarms.get(message.requestId)?.(message.built);
      worker.prewarms.delete(message.requestId);
      return;
    }
    const running = worker.running.get(message.runId);
    if (!running) return;
    const { run } = running;
    if (message.type === "log")
      run.host["console.write"]({ level: message.level as never, message: message.message });
    else if (message.type === "abort") run.abort.abort(new Error("action deadline"));
    else if (message.type === "need-app") this.sendRun(worker, message.runId, run, true);
    else if (message.type === "done") {
      worker.running.delete(message.runId);
      if (message.httpAnswers) run.recordWorkerHttp?.(message.httpAnswers);
      if (message.httpCalls) run.http?.adopt(message.httpCalls);
      running.resolve(outcomeFromWorker(message.outcome, run.redact));
    } else if (message.type === "call") {
      // The requests the worker sent itself count before this call (it may send more: a download).
      if (message.httpAnswers) run.recordWorkerHttp?.(message.httpAnswers);
      if (message.httpCalls) run.http?.adopt(message.httpCalls);
      const reply = await serveCall(run, message.name, message.arg);
      if (!worker.proc.connected) return;
      const httpUsed = run.http?.used;
      try {
        worker.proc.send({ type: "reply", callId: message.callId, ...reply, httpUsed } satisfies ToWorker);
      } catch {
        // The result could not be serialised (e.g. nested too deep): the logic gets an error instead.
        worker.proc.send({
          type: "reply",
          callId: message.callId,
          error: { code: "limit_exceeded", message: TOO_DEEP },
          httpUsed,
        } satisfies ToWorker);
      }
    }
  }

  /** Sends a run to its worker; a run that cannot be sent fails now and is forgotten. */
  private sendRun(worker: Worker, runId: number, run: SandboxRun, withCode: boolean): void {
    try {
      this.sendRunMessage(worker, runId, run, withCode);
    } catch {
      const running = worker.running.get(runId);
      worker.running.delete(runId);
      running?.resolve({
        ok: false,
        error: { code: "limit_exceeded", message: TOO_DEEP, stack: `Error: ${TOO_DEEP}` },
        cpuMs: 0,
      });
    }
  }

  private sendRunMessage(worker: Worker, runId: number, run: SandboxRun, withCode: boolean): void {
    const secrets = run.host["app.secrets"]({});
    const app = {
      key: run.app.key,
      memoryMb: run.app.memoryMb,
      logicCode: withCode ? run.app.logicCode : undefined,
    };
    worker.apps.add(run.app.key);
    worker.proc.send({
      type: "run",
      runId,
      app,
      init: run.init,
      limits: run.limits,
      secrets,
      seed: run.seed,
      clock: run.clock,
      // The worker sends the action's requests itself, under the same policy and budget.
      http: withRecording(run.http?.handOff() ?? undefined, run.recordWorkerHttp !== undefined),
    } satisfies ToWorker);
  }

  /** The executor the action runtime calls instead of the in-process sandbox. */
  execute = (_pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> => this.runInWorker(run);

  private runInWorker(run: SandboxRun): Promise<SandboxOutcome> {
    return new Promise((resolve) => {
      const start = () => {
        const worker = this.placeRun(run.app.key);
        if (!worker) return void this.waiting.push(start);
        const runId = this.nextRunId++;
        worker.running.set(runId, { run, resolve });
        this.sendRun(worker, runId, run, !worker.apps.has(run.app.key));
      };
      start();
    });
  }

  /** The app's home worker, unless another ready worker runs fewer actions now; null while none is ready. */
  private placeRun(key: string): Worker | null {
    let least: Worker | null = null;
    for (const worker of this.workers)
      if (worker.ready && (!least || worker.running.size < least.running.size)) least = worker;
    const home = this.homeOf(key);
    return home.ready && least && home.running.size < least.running.size + SPILL_AFTER ? home : least;
  }

  private homeOf(key: string): Worker {
    return this.workers[aliasHash(aliasOf(key)) % this.workers.length];
  }

  /** Runs waiting for a worker to boot (none is ready yet). */
  get waitingRuns(): number {
    return this.waiting.length;
  }

  /** Whether every worker (not counting the spare) has booted and takes actions. */
  serving(): boolean {
    return this.workers.every((worker) => worker.ready);
  }

  /** Resolves once every worker (not counting the spare) has booted and takes actions. */
  whenServing(): Promise<void> {
    if (this.serving()) return Promise.resolve();
    return new Promise((resolve) => this.servingWaiters.push(resolve));
  }

  /**
   * Builds warm isolates of `apps` in their home workers, one at a time per worker, as far as each
   * worker's warm budget has room; resolves to how many were built. Waits for the workers to boot.
   */
  async prewarm(apps: { app: SandboxRun["app"]; lastUsedAt: number }[]): Promise<number> {
    await this.whenServing();
    for (const worker of this.workers) worker.warmFull = false;
    const built = await Promise.all(apps.map(({ app, lastUsedAt }) => this.prewarmOne(app, lastUsedAt)));
    return built.filter(Boolean).length;
  }

  private async prewarmOne(app: SandboxRun["app"], lastUsedAt: number): Promise<boolean> {
    await this.whenServing();
    const worker = this.homeOf(app.key);
    const attempt = worker.prewarmChain.then(
      () =>
        new Promise<boolean>((resolve) => {
          if (this.closing || worker.warmFull || !worker.proc.connected) return resolve(false);
          const requestId = this.nextStatsId++;
          worker.prewarms.set(requestId, resolve);
          worker.apps.add(app.key);
          const message = { key: app.key, memoryMb: app.memoryMb, logicCode: app.logicCode };
          worker.proc.send({ type: "prewarm", requestId, app: message, lastUsedAt } satisfies ToWorker);
        }),
    );
    worker.prewarmChain = attempt;
    return attempt;
  }

  /**
   * Sends `runsPerWorker` warm-up runs (sandbox/warm-up.ts: change nothing, run no action) to each
   * worker, of an app at home there: the run messages, the worker's run handler and the answer's
   * way back are compiled before a user's first action, in both processes. A worker home to none
   * of `apps` is skipped; a warm-up that fails costs nothing but its own time.
   */
  async warmRunPath(apps: SandboxRun["app"][], runsPerWorker: number): Promise<void> {
    await this.whenServing();
    await Promise.all(
      this.workers.map(async (worker) => {
        const app = apps.find((candidate) => this.homeOf(candidate.key) === worker);
        for (let i = 0; app && i < runsPerWorker && !this.closing; i++)
          await this.runInWorker(warmUpRun(app));
      }),
    );
  }

  /** Every worker process now: pid, booted or not, actions running; the spare last. */
  describe(): { pid: number; ready: boolean; running: number; spare: boolean }[] {
    const all = this.spare ? [...this.workers, this.spare] : this.workers;
    return all.map((worker) => ({
      pid: worker.proc.pid ?? 0,
      ready: worker.ready,
      running: worker.running.size,
      spare: worker === this.spare,
    }));
  }

  /** Resolves once every worker (and the spare) has booted. */
  async whenReady(): Promise<void> {
    while (this.describe().some((worker) => !worker.ready))
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** The stats of a worker that did not answer (gone, or still loading): nothing measured, its nice as set. */
  private unanswered(worker: Worker): WorkerStats {
    return { pid: worker.proc.pid ?? 0, rssMb: 0, nice: loweredNice(this.nice), apps: [] };
  }

  /** Per worker: pid, memory, CPU priority, and heap/CPU of its warm isolates per app. */
  async stats(): Promise<(WorkerStats & { running: number })[]> {
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<WorkerStats & { running: number }>((resolve) => {
            const id = this.nextStatsId++;
            const timer = setTimeout(
              () => resolve({ ...this.unanswered(worker), running: worker.running.size }),
              2_000,
            );
            worker.stats.set(id, (stats) => {
              clearTimeout(timer);
              worker.stats.delete(id);
              resolve({ ...stats, running: worker.running.size });
            });
            worker.proc.send({ type: "stats", requestId: id } satisfies ToWorker);
          }),
      ),
    );
  }

  pids(): number[] {
    return this.workers.map((worker) => worker.proc.pid ?? 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    // Nobody waits for a pool that is going away (a server stopped while it was starting).
    for (const resolve of this.servingWaiters.splice(0)) resolve();
    const all = this.spare ? [...this.workers, this.spare] : this.workers;
    await Promise.all(
      all.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.proc.exitCode !== null || worker.proc.signalCode !== null) return resolve();
            worker.proc.once("exit", () => resolve());
            worker.proc.disconnect();
          }),
      ),
    );
  }
}

const TOO_DEEP =
  "The action's data could not be passed to or from its sandbox worker (nested too deeply or too large); nothing was written.";

async function serveCall(
  run: SandboxRun,
  name: string,
  arg: unknown,
): Promise<{ ok?: unknown; error?: { code: ErrorCode; message: string } }> {
  if (!Object.hasOwn(ASYNC_CALLS, name))
    return { error: { code: "bad_request", message: `Unknown host function "${name}".` } };
  try {
    const fn = run.host[name as keyof typeof ASYNC_CALLS] as (arg: unknown) => Promise<unknown>;
    return { ok: (await fn(arg)) ?? null };
  } catch (error) {
    return { error: run.describeError(error) };
  }
}

/** A worker's outcome as it arrived from another process: its code checked, its texts redacted. */
export function outcomeFromWorker(outcome: SandboxOutcome, redact: (text: string) => string): SandboxOutcome {
  if (outcome.ok) return outcome;
  return {
    ...outcome,
    error: {
      code: toErrorCode(outcome.error.code),
      message: redact(outcome.error.message),
      stack: redact(outcome.error.stack),
    },
  };
}

/** The hand-off, asking the worker for each request's answer when the run is recorded. */
function withRecording(handOff: HttpHandOff | undefined, record: boolean): HttpHandOff | undefined {
  return handOff && record ? { ...handOff, record } : handOff;
}

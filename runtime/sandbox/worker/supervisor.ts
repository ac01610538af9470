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
 * @example
 *   const workers = new WorkerSupervisor({ size: 2 });
 *   const runtime = await createActionRuntime({ store, execute: workers.execute });
 */
import { fork, type ChildProcess } from "node:child_process";
import { type ErrorCode, toErrorCode } from "../../errors.ts";
import { moduleFile } from "../../paths.ts";
import type { IsolatePool } from "../isolate-pool.ts";
import { ASYNC_CALLS } from "../bridge.ts";
import type { SandboxOutcome, SandboxRun } from "../execute.ts";
import type { FromWorker, ToWorker, WorkerStats } from "./protocol.ts";
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
  /** Ids of stats requests, unique across calls: two concurrent stats() must not take each other's replies. */
  private nextStatsId = 1;
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
   */
  constructor(options: {
    size: number;
    spare?: number;
    memoryBudgetMb?: number;
    onCrash?: WorkerSupervisor["onCrash"];
  }) {
    this.size = Math.max(1, options.size);
    this.memoryBudgetMb = options.memoryBudgetMb;
    this.spares = Math.min(1, Math.max(0, options.spare ?? 1));
    this.onCrash = options.onCrash ?? (() => undefined);
    for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
    if (this.spares) this.spare = this.spawn();
  }

  private spawn(): Worker {
    const proc = fork(ENTRY, this.memoryBudgetMb ? [String(this.memoryBudgetMb)] : [], {
      execArgv: ["--no-node-snapshot"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const worker: Worker = { proc, ready: false, running: new Map(), apps: new Set(), stats: new Map() };
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
    for (const reply of worker.stats.values()) reply({ pid: worker.proc.pid ?? 0, rssMb: 0, apps: [] });
    worker.stats.clear();
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
  }

  private async handle(worker: Worker, message: FromWorker): Promise<void> {
    if (message.type === "stats") return worker.stats.get(message.requestId)?.(message.stats);
    if (message.type === "ready") {
      worker.ready = true;
      if (this.workers.includes(worker)) this.dispatchWaiting();
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
      // The worker sends the action's requests itself, under the same policy and budget.
      http: withRecording(run.http?.handOff() ?? undefined, run.recordWorkerHttp !== undefined),
    } satisfies ToWorker);
  }

  /** The executor the action runtime calls instead of the in-process sandbox. */
  execute = (_pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> =>
    new Promise((resolve) => {
      const start = () => {
        const ready = this.workers.filter((worker) => worker.ready);
        if (ready.length === 0) return void this.waiting.push(start);
        const worker = ready.reduce((best, candidate) =>
          candidate.running.size < best.running.size ? candidate : best,
        );
        const runId = this.nextRunId++;
        worker.running.set(runId, { run, resolve });
        this.sendRun(worker, runId, run, !worker.apps.has(run.app.key));
      };
      start();
    });

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

  /** Per worker: pid, memory, and heap/CPU of its warm isolates per app. */
  async stats(): Promise<(WorkerStats & { running: number })[]> {
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<WorkerStats & { running: number }>((resolve) => {
            const id = this.nextStatsId++;
            const timer = setTimeout(
              () => resolve({ pid: worker.proc.pid ?? 0, rssMb: 0, apps: [], running: worker.running.size }),
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

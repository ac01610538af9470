/**
 * Worker threads (piscina) for host work on untrusted input that can burn CPU: Liquid, HTML to
 * text, CSV. Every call runs under its action's bounds: the action's deadline and abort signal,
 * what is left of its CPU limit (host work on its behalf counts), and for Liquid a hard stop of
 * its own. When a bound is reached the thread is terminated (piscina replaces it on demand) and
 * the call fails, so a hostile input can delay only its own action: never the server's event
 * loop, a sandbox worker, or another action's call.
 */
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { Piscina } from "piscina";
import { RuntimeError } from "../../errors.ts";
import { isThreadOutOfMemory, type TaskReply, unwrapReply } from "../thread-reply.ts";

export type CpuTask = "liquid" | "htmlToText" | "parseCsv" | "writeCsv";

/** The CPU-limit timer of one call: the CPU left × this, plus the allowance below (see run()). */
const CPU_TIMER_SLACK = 2;
const CPU_TIMER_ALLOWANCE_MS = 500;

/**
 * Heap of one thread, kept far above what the inputs' caps allow (Liquid's memory budget, the
 * HTML and CSV size caps): reaching a worker thread's heap limit can end the whole process
 * (V8's fatal out-of-memory is not always turned into the thread's own error), so the caps, not
 * this limit, are what must stop a hostile input.
 */
const THREAD_HEAP_MB = 512;

/** The bounds one action's host work shares: its wall-clock deadline and CPU left of its limit. */
export class CpuBudget {
  readonly cpuLimitMs: number;
  readonly deadline: number;
  leftMs: number;
  constructor(cpuLimitMs: number, deadline: number) {
    this.cpuLimitMs = cpuLimitMs;
    this.deadline = deadline;
    this.leftMs = cpuLimitMs;
  }
}

export interface CpuBound {
  budget: CpuBudget;
  /** The action's signal: aborted when it ends or hits its deadline in the sandbox. */
  signal?: AbortSignal;
  /** A hard stop of this call alone (Liquid), reported as limit_exceeded. */
  capMs?: number;
  /** Names the call in errors, e.g. "LiquidParser.parse". */
  caller: string;
}

type Stop = "deadline" | "cpu" | "cap";

function stopped(stop: Stop, bound: CpuBound): RuntimeError {
  if (stop === "cap")
    return new RuntimeError(
      "limit_exceeded",
      `${bound.caller} ran longer than its limit of ${bound.capMs} ms and was stopped; make the input smaller or simpler.`,
    );
  if (stop === "cpu")
    return new RuntimeError(
      "timeout",
      `The action used more CPU time than its limit of ${bound.budget.cpuLimitMs} ms (${bound.caller} and other host work on its behalf count).`,
    );
  return new RuntimeError(
    "timeout",
    `The action reached its wall-clock limit while ${bound.caller} was running; it was stopped.`,
  );
}

export class CpuPool {
  private pool: Piscina | null = null;
  private readonly threads: number;
  /** Calls started and not settled: a call stopped at a bound settles at once. */
  busy = 0;

  /**
   * @param options.threads at most this many calls run at once (default two per core, at least
   * 4): more than the cores, so that calls stopped only at their bounds do not make others
   * queue; the OS shares the cores among them.
   */
  constructor(options: { threads?: number } = {}) {
    this.threads = Math.max(1, options.threads ?? Math.max(4, 2 * availableParallelism()));
  }

  private piscina(): Piscina {
    if (this.pool) return this.pool;
    this.pool = new Piscina({
      // tasks.ts when run from the sources, tasks.js once built.
      filename: new URL(`./tasks${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href,
      maxThreads: this.threads,
      minThreads: 0,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    });
    // piscina reports a thread that failed with no task on it as an 'error' event; unheard, that
    // would crash the server. Every task's own failure reaches its caller through run().
    this.pool.on("error", () => undefined);
    return this.pool;
  }

  /** Runs `task` in a thread; stops it (terminating the thread) at the first bound reached. */
  async run<T>(task: CpuTask, arg: object, bound: CpuBound): Promise<T> {
    if (bound.budget.leftMs <= 0) throw stopped("cpu", bound);
    const limits: [number, Stop][] = [
      [bound.budget.deadline - Date.now(), "deadline"],
      // A timer measures wall time, not CPU: the slack keeps a call that waits for a thread, or for
      // a busy machine's cores, from being stopped for CPU it did not use. The CPU really used (the
      // thread's own clock) is what the budget is charged below.
      [bound.budget.leftMs * CPU_TIMER_SLACK + CPU_TIMER_ALLOWANCE_MS, "cpu"],
      [bound.capMs ?? Number.POSITIVE_INFINITY, "cap"],
    ];
    const [allowedMs, stop] = limits.reduce((first, next) => (next[0] < first[0] ? next : first));
    if (allowedMs <= 0) throw stopped(stop, bound);
    if (bound.signal?.aborted) throw stopped("deadline", bound);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), allowedMs);
    const signal = bound.signal ? AbortSignal.any([bound.signal, timer.signal]) : timer.signal;
    const started = performance.now();
    let reply: TaskReply<T>;
    let cpuMs: number | undefined;
    this.busy += 1;
    try {
      reply = await this.piscina().run(arg, { name: task, signal });
      cpuMs = reply.cpuMs;
    } catch (error) {
      if (timer.signal.aborted) throw stopped(stop, bound);
      if (bound.signal?.aborted) throw stopped("deadline", bound);
      if (isThreadOutOfMemory(error))
        throw new RuntimeError(
          "limit_exceeded",
          `${bound.caller} needed more than ${THREAD_HEAP_MB} MB of memory; make the input smaller.`,
        );
      throw error;
    } finally {
      this.busy -= 1;
      clearTimeout(timeout);
      // The thread's own CPU time when it answered; a call stopped at a bound is charged its time.
      bound.budget.leftMs -= cpuMs ?? performance.now() - started;
    }
    return unwrapReply(reply);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

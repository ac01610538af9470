/**
 * Runs one action in a warm isolate of its app: ONE call into its warm, hardened context that
 * evaluates fresh globals and the app's module factory, checks the precondition, runs the logic
 * and returns `entity`. Every failure becomes an outcome with a stable code; the host
 * process never throws from here.
 */
import type ivm from "isolated-vm";
import type { TraceMap } from "@jridgewell/trace-mapping";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import type { ThrownInfo } from "../../globals/runner.ts";
import { type ErrorCode, isErrorCode, passesThroughLogic, RuntimeError } from "../errors.ts";
import type { HttpClient } from "../host/index.ts";
import { createBridge, type HostFunctions } from "./bridge.ts";
import type { CompiledApp, IsolateLease, IsolatePool, LeaseVerdict } from "./isolate-pool.ts";
import type { SandboxLimits } from "./limits-schema.ts";
import { parseFromIsolate } from "./marshal.ts";
import { actionSeed } from "./seed.ts";
import { mapStack } from "./stack.ts";
import { discardContext } from "./warm-context.ts";
import { Watchdog } from "./watchdog.ts";

export interface SandboxApp extends CompiledApp {
  sourceMap: TraceMap | null;
}

export interface SandboxRun {
  app: SandboxApp;
  init: ActionInit;
  host: HostFunctions;
  /**
   * The action's HTTP client (`host["http.execute"]` sends through it): a worker process sends the
   * action's requests itself with its policy and budget, and hands the call log back (worker/).
   */
  http?: HttpClient;
  limits: SandboxLimits;
  /** Aborted when the run hits its deadline: host work in flight must stop. */
  abort: AbortController;
  /** Rebuilds an error for users: code + message, secrets redacted. */
  describeError(error: unknown): { code: ErrorCode; message: string };
  redact(text: string): string;
  /** Math.random's seed (32 hex digits) instead of a fresh one: a replayed run gets its recorded seed. */
  seed?: string;
  /**
   * The clock (globals/clock.ts): `record` keeps the logic's readings of it (the outcome's
   * `clock`), an array gives a replayed run those readings back; absent, the real time.
   */
  clock?: "record" | number[];
  /**
   * Told the requests a worker process sent itself (with `http`), with their answers, in the order
   * the logic made them and before the next host call: a recorded run (actions/run-recording.ts)
   * keeps them like the host calls it sees.
   */
  recordWorkerHttp?: (calls: WorkerHttpAnswer[]) => void;
}

/** One `http.execute` a worker process sent itself, with what the logic got back. */
export interface WorkerHttpAnswer {
  arg: unknown;
  answer?: unknown;
  error?: { code: ErrorCode; message: string };
}

export interface ActionFailure {
  code: ErrorCode;
  message: string;
  stack: string;
}

/** cpuMs: CPU the isolate spent on this run; heapMb: its used heap at the end (0 when disposed). */
export type SandboxOutcome =
  | {
      ok: true;
      ran: boolean;
      entity: Record<string, unknown>;
      /** A mass action's selected records after the logic (entity is the first of them). */
      records?: Record<string, unknown>[];
      cpuMs: number;
      heapMb?: number;
      transitions?: string[][];
      /** What `__sendNotifications` returned (NotifyContext objects, unchecked), sent after the commit. */
      notifications?: unknown[];
      /** The clock's readings, in order, when the run asked for them (`clock: "record"`). */
      clock?: number[];
    }
  | { ok: false; error: ActionFailure; cpuMs: number; heapMb?: number; clock?: number[] };

const MAX_RESULT_BYTES = 16 * 1024 * 1024;

type RunnerReply = (
  | { ok: true; transitions: string[][]; allowed?: undefined }
  | { ok: true; allowed: false }
  | {
      ok: true;
      allowed: true;
      ran: boolean;
      entityJson: string;
      recordsJson?: string;
      notifications?: unknown[];
    }
  | { ok: false; error: ThrownInfo }
) & { clock?: number[] };

function plain(code: ErrorCode, message: string): ActionFailure {
  return { code, message, stack: `Error: ${message}` };
}

function failureFromThrown(thrown: ThrownInfo, run: SandboxRun, lineOffset: number): ActionFailure {
  // The code comes from the isolate: a registry code the host may pass through, or logic_error.
  const code = isErrorCode(thrown.code) && passesThroughLogic(thrown.code) ? thrown.code : "logic_error";
  // `throw { code: "CRM_DOWN", message }`: the app's own code stays visible beside logic_error.
  const ownCode = !thrown.isError && thrown.code && code === "logic_error" ? ` (code ${thrown.code})` : "";
  const message = run.redact((thrown.message || "The action failed without a message.") + ownCode);
  const headline =
    thrown.isError && thrown.name && thrown.name !== "Error"
      ? `${thrown.name}: ${message}`
      : `Error: ${message}`;
  return {
    code,
    message,
    stack: run.redact(
      // A thrown non-Error brings the stack of its throw statement (globals/throw-site.ts).
      mapStack(thrown.stack, headline, run.app.sourceMap, lineOffset),
    ),
  };
}

const wallMessage = (limitMs: number) =>
  `The action ran longer than its wall-clock limit of ${limitMs} ms (time waiting on HTTP and sleep counts).`;
const cpuMessage = (limitMs: number | string) =>
  `The action used more CPU time than its limit of ${limitMs} ms.`;

/** Thrown into the logic by a host call made after the deadline (the watchdog's timer may not have fired yet). */
function pastDeadline(watchdog: Watchdog, limits: SandboxLimits): RuntimeError {
  return new RuntimeError(
    "timeout",
    watchdog.breach?.kind === "cpu" ? cpuMessage(watchdog.breach.limitMs) : wallMessage(limits.wallMs),
  );
}

const OUT_OF_MEMORY = "The action used more memory than the isolate's heap limit.";

function failureFromHost(error: unknown, watchdog: Watchdog, isolate: ivm.Isolate): ActionFailure {
  const text = error instanceof Error ? error.message : String(error);
  // isolated-vm names the memory limit when it stopped the isolate for it, whatever else fired
  // (a memory bomb caught by the CPU limit gets a grace to reach it: see Watchdog.trip).
  if (/memory limit|out of memory/i.test(text)) return plain("out_of_memory", OUT_OF_MEMORY);
  if (watchdog.breach?.kind === "wall") return plain("timeout", wallMessage(watchdog.breach.limitMs));
  // "timed out": isolated-vm's own timeout, used only while a context is set up (warm-context.ts).
  if (watchdog.breach?.kind === "cpu" || /timed out/i.test(text))
    return plain("timeout", cpuMessage(watchdog.breach?.limitMs ?? "the configured"));
  if (isolate.isDisposed) return plain("out_of_memory", OUT_OF_MEMORY);
  if (error instanceof RuntimeError) return plain(error.code, error.message);
  // isolated-vm answers a dynamic import() with a host-level "Not supported" the logic cannot catch.
  if (text === "Not supported")
    return plain(
      "logic_error",
      "import() is not available in action logic; use static imports at the top of the file so the bundler includes them.",
    );
  return plain("internal_error", "The sandbox failed unexpectedly while running the action.");
}

/** `entity` (and a mass action's `records`) as the logic left them. */
function readResult(entityJson: string, recordsJson: string | undefined) {
  const entity = parseFromIsolate<Record<string, unknown>>(entityJson, MAX_RESULT_BYTES, "entity");
  const records = recordsJson
    ? parseFromIsolate<Record<string, unknown>[]>(recordsJson, MAX_RESULT_BYTES, "records")
    : undefined;
  if (records && !Array.isArray(records))
    throw new RuntimeError("logic_error", "records must stay an array.");
  return { entity, records };
}

export async function executeInSandbox(pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> {
  let acquired: Awaited<ReturnType<IsolatePool["acquire"]>>;
  try {
    acquired = await pool.acquire(run.app, {
      deadline: Date.now() + run.limits.wallMs,
      signal: run.abort.signal,
    });
  } catch (error) {
    // No room in this process's isolate memory before the deadline: the run fails on its own.
    if (error instanceof RuntimeError && error.code === "resource_exhausted")
      return { ok: false, error: plain(error.code, error.message), cpuMs: 0 };
    throw error;
  }
  const { lease, waitedMs } = acquired;
  // Time spent waiting for memory counts against the wall-clock limit.
  const timed = waitedMs
    ? {
        ...run,
        limits: {
          ...run.limits,
          wallMs: Math.max(run.limits.wallMs - waitedMs, 1),
          wallLimitMs: run.limits.wallLimitMs ?? run.limits.wallMs,
        },
      }
    : run;
  const measured = { heapMb: 0 };
  const outcome = await runInLease(pool, lease, timed, measured);
  return { ...outcome, heapMb: measured.heapMb };
}

/** Used heap in MB, one decimal. */
const heapMbOf = (heap: { used_heap_size: number }) => Math.round(heap.used_heap_size / 104_857.6) / 10;

/**
 * How often a busy isolate's heap is sampled. The sample waits for the isolate's lock, which its
 * thread still holds for a moment after a run ends: measured ~100 µs of the worker's main thread
 * per run under load when every run took one. The figure feeds the warm-memory budget and the
 * run log, where a value up to this old serves as well.
 */
export const HEAP_SAMPLE_EVERY_MS = 250;

/** The lease's heap now (kept for its next run and the warm budget); unchanged once disposed. */
function sampleHeap(lease: IsolateLease): void {
  if (lease.isolate.isDisposed) return;
  try {
    lease.heapMb = heapMbOf(lease.isolate.getHeapStatisticsSync());
    lease.heapSampledAt = performance.now();
  } catch {
    // Disposed meanwhile (a breach): the run has no heap figure.
  }
}

async function runInLease(
  pool: IsolatePool,
  lease: IsolateLease,
  run: SandboxRun,
  measured: { heapMb: number },
): Promise<SandboxOutcome> {
  const { isolate } = lease;
  const cpuStart = isolate.cpuTime;
  const watchdog = new Watchdog(isolate, run.limits, run.abort);
  lease.route.bridge = createBridge(run.host, {
    checkDeadline: () => {
      if (watchdog.expired) throw pastDeadline(watchdog, run.limits);
    },
    describeError: run.describeError,
  });
  // The app throwing is an ordinary outcome: the realm is frozen and the next action gets fresh
  // globals and app modules, so the warm context is kept. A reply the host cannot read discards
  // the context; anything thrown on the host side (timeout, OOM, internal error) the isolate.
  let verdict: LeaseVerdict = "dispose";
  const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime - cpuStart) / 1e6);
  // No isolated-vm `timeout` here: the watchdog enforces the CPU and wall-clock limits. The
  // `timeout` option would also pause and resume isolated-vm's timer around every host call that
  // waits (measured: +10–40 µs per RestApi.executeRequest), for a limit the watchdog already keeps.
  try {
    const clock = run.clock ? JSON.stringify(run.clock) : "";
    const json = await lease.start!.apply(
      undefined,
      [JSON.stringify(run.init), run.seed ?? actionSeed(), clock],
      {
        result: { copy: true },
      },
    );
    // The action ended by itself in the grace after a CPU breach (see Watchdog.trip): still a breach.
    if (watchdog.breach)
      return { ok: false, error: failureFromHost(null, watchdog, isolate), cpuMs: cpuMs() };
    verdict = "discard-context";
    const reply = parseFromIsolate<RunnerReply>(json, MAX_RESULT_BYTES * 2, "The action's result");
    const result = reply.ok && reply.allowed ? readResult(reply.entityJson, reply.recordsJson) : null;
    verdict = "keep";
    const clockOf = readClock(reply.clock);
    if (!reply.ok)
      return {
        ok: false,
        error: failureFromThrown(reply.error, run, lease.appLineOffset),
        cpuMs: cpuMs(),
        ...clockOf,
      };
    if ("transitions" in reply)
      return { ok: true, ran: false, entity: {}, transitions: reply.transitions, cpuMs: cpuMs(), ...clockOf };
    if (!reply.allowed) {
      return {
        ok: false,
        error: plain(
          "precondition_failed",
          `The precondition of action "${run.init.action}" is false for this record.`,
        ),
        cpuMs: cpuMs(),
        ...clockOf,
      };
    }
    return {
      ok: true,
      ran: reply.ran,
      ...result!,
      notifications: reply.notifications,
      cpuMs: cpuMs(),
      ...clockOf,
    };
  } catch (error) {
    return { ok: false, error: failureFromHost(error, watchdog, isolate), cpuMs: cpuMs() };
  } finally {
    // A run reports the heap sampled after the previous run of this isolate; an isolate's first
    // run has no earlier sample, so it is measured now (once per isolate), or every run on a fresh
    // isolate would report a heap of 0. The sample for the next run is taken synchronously (the
    // asynchronous form costs a round trip to the isolate's thread: ~45 µs of CPU per run against
    // ~4 µs), and at most every HEAP_SAMPLE_EVERY_MS.
    const first = lease.heapMb === 0;
    if (first) sampleHeap(lease);
    measured.heapMb = lease.heapMb;
    watchdog.stop();
    if (watchdog.breach) verdict = "dispose";
    // A breached isolate is disposed below: its heap does not matter any more.
    else if (!first && performance.now() - lease.heapSampledAt >= HEAP_SAMPLE_EVERY_MS) sampleHeap(lease);
    if (verdict === "discard-context") discardContext(lease);
    pool.release(run.app, lease, verdict);
  }
}

/** The clock readings of a reply, kept only when they are what they should be: finite numbers. */
function readClock(clock: unknown): { clock?: number[] } {
  if (!Array.isArray(clock)) return {};
  return {
    clock: clock.filter((value): value is number => typeof value === "number" && Number.isFinite(value)),
  };
}

/**
 * Runs one action in a warm isolate of its app: a fresh context, then ONE call into the isolate
 * that installs the globals with the bridge, loads the app bundle, checks the precondition, runs
 * the logic and returns `entity`. Every failure becomes an outcome with a stable code; the host
 * process never throws from here.
 */
import ivm from "isolated-vm";
import type { TraceMap } from "@jridgewell/trace-mapping";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import type { ThrownInfo } from "../../globals/runner.ts";
import { RuntimeError } from "../errors.ts";
import { createBridge, type HostFunctions } from "./bridge.ts";
import type { CompiledApp, IsolateLease, IsolatePool } from "./isolate-pool.ts";
import type { SandboxLimits } from "../limits.ts";
import { parseFromIsolate } from "./marshal.ts";
import { mapStack } from "./stack.ts";
import { Watchdog } from "./watchdog.ts";

export interface SandboxApp extends CompiledApp {
  sourceMap: TraceMap | null;
}

export interface SandboxRun {
  app: SandboxApp;
  init: ActionInit;
  host: HostFunctions;
  limits: SandboxLimits;
  /** Aborted when the run hits its deadline: host work in flight must stop. */
  abort: AbortController;
  /** Rebuilds an error for users: code + message, secrets redacted. */
  describeError(error: unknown): { code: string; message: string };
  redact(text: string): string;
}

export interface ActionFailure {
  code: string;
  message: string;
  stack: string;
}

/** cpuMs: CPU the isolate spent on this run; heapMb: its used heap at the end (0 when disposed). */
export type SandboxOutcome =
  | {
      ok: true;
      ran: boolean;
      entity: Record<string, unknown>;
      cpuMs: number;
      heapMb?: number;
      transitions?: string[][];
    }
  | { ok: false; error: ActionFailure; cpuMs: number; heapMb?: number };

/** Host error codes that keep their code when the logic does not catch them. */
const PASS_THROUGH = new Set([
  "forbidden",
  "limit_exceeded",
  "validation_error",
  "conflict",
  "not_found",
  "timeout",
  "egress_denied",
  "network_error",
  "invalid_url",
  "too_many_redirects",
  "precondition_failed",
  // the database went away during a host call: the client must retry, not fix its logic
  "store_unavailable",
]);
const MAX_RESULT_BYTES = 16 * 1024 * 1024;

type RunnerReply =
  | { ok: true; transitions: string[][]; allowed?: undefined }
  | { ok: true; allowed: false }
  | { ok: true; allowed: true; ran: boolean; entityJson: string }
  | { ok: false; error: ThrownInfo };

function plain(code: string, message: string): ActionFailure {
  return { code, message, stack: `Error: ${message}` };
}

function failureFromThrown(thrown: ThrownInfo, run: SandboxRun, lineOffset: number): ActionFailure {
  const code = thrown.code && PASS_THROUGH.has(thrown.code) ? thrown.code : "logic_error";
  const message = run.redact(thrown.message || "The action failed without a message.");
  const headline =
    thrown.isError && thrown.name && thrown.name !== "Error"
      ? `${thrown.name}: ${message}`
      : `Error: ${message}`;
  return {
    code,
    message,
    stack: run.redact(
      mapStack(thrown.isError ? thrown.stack : undefined, headline, run.app.sourceMap, lineOffset),
    ),
  };
}

const OUT_OF_MEMORY = "The action used more memory than the isolate's heap limit.";

function failureFromHost(error: unknown, watchdog: Watchdog, isolate: ivm.Isolate): ActionFailure {
  const text = error instanceof Error ? error.message : String(error);
  // isolated-vm names the memory limit when it stopped the isolate for it, whatever else fired.
  if (/memory limit|out of memory/i.test(text)) return plain("out_of_memory", OUT_OF_MEMORY);
  // isolated-vm's own timeout is a backstop behind the wall clock: it reports as the wall clock.
  if (watchdog.breach || /timed out/i.test(text)) return plain("timeout", watchdog.breachMessage());
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

export async function executeInSandbox(pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> {
  const lease = await pool.acquire(run.app);
  const measured = { heapMb: 0 };
  const outcome = await runInLease(pool, lease, run, measured);
  return { ...outcome, heapMb: measured.heapMb };
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
  const bridge = createBridge(run.host, {
    checkDeadline: () => {
      if (watchdog.expired) throw new RuntimeError("timeout", watchdog.breachMessage());
    },
    describeError: run.describeError,
  });
  const asyncRef = new ivm.Reference((name: unknown, argJson: unknown) =>
    bridge.dispatchAsync(name, argJson),
  );
  const syncCallback = new ivm.Callback((name: unknown, argJson: unknown) =>
    bridge.dispatchSync(name, argJson),
  );
  let context: ivm.Context | null = null;
  let healthy = false;
  const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime - cpuStart) / 1e6);
  // isolated-vm's own `timeout` counts the wall time the isolate spends running, which on a busy
  // machine is far more than its CPU time: it is only a backstop behind the watchdog's CPU and
  // wall-clock limits, so that a slow machine cannot turn a memory bomb into a "timeout".
  const backstopMs = run.limits.wallMs + 1_000;
  try {
    context = await isolate.createContext();
    const start: ivm.Reference = await lease.script.run(context, {
      timeout: backstopMs,
      reference: true,
    });
    const json = await start.apply(undefined, [syncCallback, asyncRef, JSON.stringify(run.init)], {
      timeout: backstopMs,
      result: { copy: true },
    });
    // The action ended by itself in the grace after a CPU breach (see Watchdog.trip): still a breach.
    if (watchdog.breach)
      return { ok: false, error: failureFromHost(null, watchdog, isolate), cpuMs: cpuMs() };
    const reply = parseFromIsolate<RunnerReply>(json, MAX_RESULT_BYTES * 2, "The action's result");
    healthy = true;
    if (!reply.ok)
      return { ok: false, error: failureFromThrown(reply.error, run, lease.appLineOffset), cpuMs: cpuMs() };
    if ("transitions" in reply)
      return { ok: true, ran: false, entity: {}, transitions: reply.transitions, cpuMs: cpuMs() };
    if (!reply.allowed) {
      return {
        ok: false,
        error: plain(
          "precondition_failed",
          `The precondition of action "${run.init.action}" is false for this record.`,
        ),
        cpuMs: cpuMs(),
      };
    }
    const entity = parseFromIsolate<Record<string, unknown>>(reply.entityJson, MAX_RESULT_BYTES, "entity");
    return { ok: true, ran: reply.ran, entity, cpuMs: cpuMs() };
  } catch (error) {
    return { ok: false, error: failureFromHost(error, watchdog, isolate), cpuMs: cpuMs() };
  } finally {
    // The heap sample is taken off the critical path and reported with the next run of this isolate.
    measured.heapMb = lease.heapMb;
    if (!isolate.isDisposed)
      isolate.getHeapStatistics().then(
        (heap) => (lease.heapMb = Math.round(heap.used_heap_size / 104_857.6) / 10),
        () => undefined,
      );
    watchdog.stop();
    asyncRef.release();
    if (context && !isolate.isDisposed) context.release();
    pool.release(run.app, lease, healthy && !watchdog.breach);
  }
}

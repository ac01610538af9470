/**
 * Messages between the supervisor (server process) and a sandbox worker process. The worker owns
 * the isolates; everything with state (records, files, queue) stays in the server process and is
 * reached through `call` messages, so a dying worker loses nothing but its running action.
 * Outbound HTTP is the exception: `run.http` hands the action's policy and budget to the worker,
 * which sends `RestApi.executeRequest()` itself and hands its call log back with the next `call`
 * and with `done`; every reply tells it the count after the server's own share (worker-http.ts).
 */
import type { ActionInit } from "../../../globals/bridge-contract.ts";
import type { ErrorCode } from "../../errors.ts";
import type { HttpCallLog, HttpHandOff } from "../../host/index.ts";
import type { SandboxOutcome, WorkerHttpAnswer } from "../execute.ts";
import type { PoolSummary } from "../isolate-pool.ts";
import type { SandboxLimits } from "../limits-schema.ts";

export interface WorkerApp {
  key: string;
  memoryMb: number;
  /** Sent only the first time this worker runs the app (the worker caches it by key). */
  logicCode?: string;
}

export type ToWorker =
  | {
      type: "run";
      runId: number;
      app: WorkerApp;
      init: ActionInit;
      limits: SandboxLimits;
      secrets: Record<string, string>;
      /** Math.random's seed when the run names one (a recorded or replayed run). */
      seed?: string;
      /** The clock's mode when the run names one (SandboxRun.clock). */
      clock?: "record" | number[];
      /** Absent: the worker forwards every request to the server (e.g. a test's mock dispatcher). */
      http?: HttpHandOff;
    }
  | {
      type: "reply";
      callId: number;
      ok?: unknown;
      error?: { code: ErrorCode; message: string };
      /** The action's request count after this call (it may have sent some: a nested transition). */
      httpUsed?: number;
    }
  | { type: "stats"; requestId: number }
  /** The bundled globals, built once by the server (sent when the worker booted): no bundler per worker. */
  | { type: "globals"; code: string }
  /** Build a warm isolate of `app` ahead of its first action, if the warm budget has room. */
  | { type: "prewarm"; requestId: number; app: WorkerApp; lastUsedAt: number };

export type FromWorker =
  | { type: "ready" }
  | {
      type: "call";
      runId: number;
      callId: number;
      name: string;
      arg: unknown;
      /** Requests the worker sent for this run since its last message, for the call log. */
      httpCalls?: HttpCallLog[];
      /** The answers of those requests, when the run is recorded (SandboxRun.recordWorkerHttp). */
      httpAnswers?: WorkerHttpAnswer[];
    }
  | { type: "log"; runId: number; level: string; message: string }
  | { type: "abort"; runId: number }
  | {
      type: "done";
      runId: number;
      outcome: SandboxOutcome;
      httpCalls?: HttpCallLog[];
      httpAnswers?: WorkerHttpAnswer[];
    }
  | { type: "need-app"; runId: number }
  | { type: "stats"; requestId: number; stats: WorkerStats }
  /** `full`: the warm budget has no room left; the worker did not keep the app's code. */
  | { type: "prewarmed"; requestId: number; built: boolean; full?: boolean };

export interface WorkerStats {
  pid: number;
  rssMb: number;
  /** The worker's CPU priority (nice) as the system reports it (--worker-nice). */
  nice: number;
  apps: { key: string; isolates: number; usedHeapMb: number; cpuMs: number }[];
  /** The worker's warm isolates as a whole (isolates, warm budget, evictions). */
  pool?: PoolSummary;
}

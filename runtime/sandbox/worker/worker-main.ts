/**
 * Entry of a sandbox worker process (forked by the supervisor). Runs actions in its own warm
 * isolates; pure helpers (hashing, base64) and outbound HTTP (`RestApi.executeRequest()`, with the
 * policy and budget the server hands over: worker-http.ts) run here, every host call with state,
 * or with CPU-heavy work on untrusted input (Liquid, htmlToText, CSV: threads under the deadline),
 * is forwarded to the server process. If V8 aborts this process on an out-of-memory path, only
 * the action running here fails.
 */
import { getPriority } from "node:os";
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";
import { isRuntimeError, RuntimeError, toErrorCode } from "../../errors.ts";
import { createRedactor, pureHostCalls } from "../../host/index.ts";
import { ASYNC_CALLS, type HostFunctions } from "../bridge.ts";
import { type ActionFailure, executeInSandbox } from "../execute.ts";
import { IsolatePool } from "../isolate-pool.ts";
import { lazyHostTable } from "../lazy-host.ts";
import { sourceMapOf } from "../stack.ts";
import { prewarmApp } from "../warm-up.ts";
import type { FromWorker, ToWorker, WorkerApp } from "./protocol.ts";
import { WorkerHttp } from "./worker-http.ts";
import { lowerWorkerPriority } from "./priority.ts";

// The supervisor passes the isolate memory of this process, its share of the warm-isolate
// budget, then how much lower its CPU priority is than the server's (before any isolate exists).
const memoryBudgetMb = Number(process.argv[2]) || undefined;
const warmBudgetMb = Number(process.argv[3]) || undefined;
lowerWorkerPriority(Number(process.argv[4]) || 0);
const logicByKey = new Map<string, { code: string; map: ReturnType<typeof sourceMapOf> }>();
// The server sends the bundled globals once this worker booted (before any action): no bundler
// process per worker.
let receiveGlobals: (code: string) => void = () => undefined;
const sentGlobals = new Promise<string>((resolve) => (receiveGlobals = resolve));
// An app whose warm isolates were all evicted is forgotten here too (its code and source map):
// its next run asks the server for the code again ("need-app"), as its first run did.
const pool = new IsolatePool(() => sentGlobals, {
  memoryBudgetMb,
  warmBudgetMb,
  onAppCold: (key) => logicByKey.delete(key),
});
const pendingCalls = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (error: Error) => void; http: WorkerHttp | null }
>();
let nextCallId = 1;

/** A message to the supervisor; once it has gone (shutdown) there is nobody to tell. */
const send = (message: FromWorker) => {
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
};

/** What a value nested too deep for IPC (JSON.stringify overflows the stack) becomes. */
const TOO_DEEP =
  "The value could not be passed between the sandbox worker and the server (nested too deeply or too large).";

function forward(runId: number, name: string, arg: unknown, http: WorkerHttp | null): Promise<unknown> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pendingCalls.set(callId, { resolve, reject, http });
    const httpCalls = http?.take();
    const httpAnswers = http?.takeAnswers();
    try {
      send({ type: "call", runId, callId, name, arg, httpCalls, httpAnswers });
    } catch {
      if (httpCalls) http?.putBack(httpCalls);
      pendingCalls.delete(callId);
      reject(Object.assign(new Error(TOO_DEEP), { code: "limit_exceeded" }));
    }
  });
}

function hostFor(runId: number, secrets: Record<string, string>, http: WorkerHttp | null): HostFunctions {
  const remote = Object.fromEntries(
    Object.keys(ASYNC_CALLS).map((name) => [name, (arg: unknown) => forward(runId, name, arg, http)]),
  );
  const local = {
    "console.write": ({ level, message }: { level: string; message: string }) => {
      send({ type: "log", runId, level, message });
      return null;
    },
    ...pureHostCalls,
    "app.secrets": () => ({ ...secrets }),
    ...(http && {
      "http.execute": (spec: HttpRequestSpec) =>
        http.sendsHere(spec) ? http.execute(spec) : remote["http.execute"](spec),
    }),
  };
  // Local last: the worker's own http.execute replaces the forwarding one.
  return { ...remote, ...local } as unknown as HostFunctions;
}

function remember(app: WorkerApp): void {
  if (app.logicCode) logicByKey.set(app.key, { code: app.logicCode, map: sourceMapOf(app.logicCode) });
}

async function prewarm(message: Extract<ToWorker, { type: "prewarm" }>): Promise<void> {
  if (!pool.hasWarmRoom()) {
    send({ type: "prewarmed", requestId: message.requestId, built: false, full: true });
    return;
  }
  remember(message.app);
  const logic = logicByKey.get(message.app.key);
  const app = { key: message.app.key, memoryMb: message.app.memoryMb, logicCode: logic?.code ?? "" };
  const built = logic ? await prewarmApp(pool, { ...app, sourceMap: logic.map }, message.lastUsedAt) : false;
  send({ type: "prewarmed", requestId: message.requestId, built });
}

async function run(message: Extract<ToWorker, { type: "run" }>): Promise<void> {
  remember(message.app);
  const logic = logicByKey.get(message.app.key);
  if (!logic) {
    send({ type: "need-app", runId: message.runId });
    return;
  }
  const abort = new AbortController();
  abort.signal.addEventListener("abort", () => send({ type: "abort", runId: message.runId }), { once: true });
  const redact = createRedactor(Object.values(message.secrets));
  const http = message.http ? new WorkerHttp(message.http, abort.signal, redact) : null;
  const outcome = await executeInSandbox(pool, {
    app: {
      key: message.app.key,
      memoryMb: message.app.memoryMb,
      logicCode: logic.code,
      sourceMap: logic.map,
    },
    init: message.init,
    limits: message.limits,
    host: lazyHostTable({}, () => hostFor(message.runId, message.secrets, http)),
    seed: message.seed,
    clock: message.clock,
    abort,
    // Errors coming back from the server process are already rebuilt and redacted there; this
    // worker's own (HTTP) are redacted here with the app's secrets.
    describeError: (error) =>
      isRuntimeError(error)
        ? { code: error.code, message: redact(error.message) }
        : { code: "internal_error", message: "An unexpected error happened in the sandbox worker." },
    redact: (text) => text,
  });
  const httpCalls = await http?.finish();
  const httpAnswers = http?.takeAnswers();
  try {
    send({ type: "done", runId: message.runId, outcome, httpCalls, httpAnswers });
  } catch {
    const failed: ActionFailure = { code: "limit_exceeded", message: TOO_DEEP, stack: `Error: ${TOO_DEEP}` };
    send({
      type: "done",
      runId: message.runId,
      outcome: { ok: false, error: failed, cpuMs: outcome.cpuMs },
      httpCalls,
    });
  }
}

process.on("message", (message: ToWorker) => {
  if (message.type === "run") void run(message);
  else if (message.type === "prewarm") void prewarm(message);
  else if (message.type === "globals") receiveGlobals(message.code);
  else if (message.type === "reply") {
    const pending = pendingCalls.get(message.callId);
    pendingCalls.delete(message.callId);
    if (!pending) return;
    pending.http?.resume(message.httpUsed);
    if (message.error) {
      const { code, message: text } = message.error;
      pending.reject(new RuntimeError(toErrorCode(code), text));
    } else pending.resolve(message.ok);
  } else if (message.type === "stats") {
    send({
      type: "stats",
      requestId: message.requestId,
      stats: {
        pid: process.pid,
        rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
        nice: getPriority(),
        apps: pool.stats(),
        pool: pool.summary(),
      },
    });
  }
});
// The server process is gone (or closed the channel): leave at once. Not through dispose or
// process.exit: isolated-vm's teardown waits for isolate threads, and one blocked on a host call
// would wait for a reply that never comes (a server killed -9 left such workers for ever). A
// worker holds nothing that needs saving, and esbuild's service (a child of this process) ends
// by itself when its stdin closes.
process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
send({ type: "ready" });

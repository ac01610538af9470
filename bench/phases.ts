/**
 * Where the time of one REST action goes, phase by phase: each phase is timed on its own (median
 * of many runs, in this process, one at a time) and printed as a table, cheapest last. The "before"
 * rows are what the old design paid per action and now pays once per isolate (or not at all).
 *
 *   node --no-node-snapshot bench/phases.ts [--json]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { asDeveloper } from "../runtime/index.ts";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ivm from "isolated-vm";
import { Agent, request } from "undici";
import { createActionRuntime, type ActionRuntime } from "../runtime/runs/index.ts";
import { globalsScript } from "../runtime/bundle/index.ts";
import type { PublicError } from "../runtime/errors.ts";
import {
  DEFAULT_LIMITS,
  executeInSandbox,
  type HostFunctions,
  IsolatePool,
} from "../runtime/sandbox/index.ts";
import { isolateScript, LOGIC_FILENAME } from "../runtime/sandbox/isolate-pool.ts";
import { ensureContext, newLease } from "../runtime/sandbox/warm-context.ts";
import { createToken } from "../runtime/server/auth.ts";
import { createServer } from "../runtime/server/index.ts";
import { hashToken } from "../runtime/server/auth.ts";
import { openStore, type Store } from "../runtime/store/index.ts";
import { median, round, timeEach } from "./stats.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");

export interface Phase {
  phase: string;
  ms: number;
  /** How often the current design pays it. */
  paid: string;
}

async function withRuntime<T>(workers: number, fn: (runtime: ActionRuntime, store: Store) => Promise<T>) {
  const dir = mkdtempSync(join(tmpdir(), "comind-phases-"));
  const store = await openStore({ dataDir: dir });
  const runtime = await createActionRuntime({ store, secrets: {}, workers });
  try {
    await runtime.loadApp(APP);
    return await fn(runtime, store);
  } finally {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (samples: number[]) => round(median(samples), 3);

async function sandboxPhases(runtime: ActionRuntime): Promise<Phase[]> {
  const app = runtime.apps.get("BENCH")!.sandbox;
  const globals = await globalsScript();
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const { code, appLineOffset } = isolateScript(globals, app.logicCode);
  const compile = await timeEach(20, async () => {
    const fresh = new ivm.Isolate({ memoryLimit: 128 });
    await fresh.compileScript(code, { filename: LOGIC_FILENAME });
    fresh.dispose();
  });
  const script = await isolate.compileScript(code, { filename: LOGIC_FILENAME });
  const freshContext = await timeEach(200, async () => (await isolate.createContext()).release());
  const setup = await timeEach(50, async () => {
    const lease = newLease(isolate, script, appLineOffset);
    await ensureContext(lease, 5_000);
    lease.start?.release();
    lease.context?.release();
  });
  isolate.dispose();

  const pool = new IsolatePool(globalsScript);
  const run = {
    app,
    init: {
      action: "bump",
      appAlias: "BENCH",
      workspaceAlias: "DEMO",
      entity: { id: "r1", title: "t", c_count: 1 },
      entityOld: null,
      currentUser: { id: "u", name: "U" },
      isNew: false,
      vars: {},
    },
    host: {} as HostFunctions,
    limits: DEFAULT_LIMITS,
    abort: new AbortController(),
    describeError: (): PublicError => ({ code: "internal_error", message: "x" }),
    redact: (text: string) => text,
  };
  await timeEach(200, () => executeInSandbox(pool, run));
  const warmAction = await timeEach(1000, () => executeInSandbox(pool, run));
  pool.dispose();

  const calls = await hostCallCosts();
  return [
    { phase: "new isolate + compile globals and app bundle", ms: ms(compile), paid: "once per isolate" },
    { phase: "new V8 context (before: per action)", ms: ms(freshContext), paid: "once per isolate" },
    {
      phase: "context setup: globals + hardening (before: per action, without hardening)",
      ms: ms(setup),
      paid: "once per isolate (again only if a reply could not be read)",
    },
    {
      phase: "action in the warm context: fresh globals + app module + logic + result",
      ms: ms(warmAction),
      paid: "per action",
    },
    { phase: "one sync host call (ivm.Callback)", ms: calls.sync, paid: "per pure host call" },
    { phase: "one async host call (applySyncPromise)", ms: calls.async, paid: "per host call with I/O" },
  ];
}

async function hostCallCosts(): Promise<{ sync: number; async: number }> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const N = 2000;
  await context.global.set("syncCall", new ivm.Callback(() => "x"));
  await context.global.set("asyncCall", new ivm.Reference(async () => "x"));
  const loop = (body: string) =>
    context.eval(
      `(() => { const t = Date.now(); for (let i = 0; i < ${N}; i++) ${body}; return Date.now() - t; })()`,
    );
  await loop("syncCall()");
  const sync = (await loop("syncCall()")) / N;
  await loop("asyncCall.applySyncPromise(undefined, [])");
  const async = (await loop("asyncCall.applySyncPromise(undefined, [])")) / N;
  isolate.dispose();
  return { sync: round(sync, 4), async: round(async, 4) };
}

async function storePhases(store: Store, runtime: ActionRuntime): Promise<Phase[]> {
  const first = await runtime.run({ caller: asDeveloper(), app: "BENCH", action: "bump" });
  if (!first.ok) throw new Error(first.error.message);
  const token = await createToken(store, { id: "bench" });
  const tokenHash = hashToken(token);
  const read = await timeEach(1000, () => store.getRecord("DEMO", first.recordId));
  const tokenLookup = await timeEach(1000, () => store.findToken(tokenHash));
  const runLog = await timeEach(300, () =>
    store.recordRun({
      id: crypto.randomUUID(),
      workspace: "DEMO",
      app: "BENCH",
      action: "bump",
      recordId: first.recordId,
      source: "bench",
      actor: "bench",
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      ok: true,
      errorCode: null,
      errorMessage: null,
      logs: [],
      httpCalls: [],
    }),
  );
  const whole = await timeEach(500, () =>
    runtime.run({ caller: asDeveloper(), app: "BENCH", action: "bump", recordId: first.recordId }),
  );
  return [
    { phase: "record read (store.getRecord)", ms: ms(read), paid: "per action" },
    {
      phase: "token lookup (store.findToken)",
      ms: ms(tokenLookup),
      paid: "once per token per second (cached)",
    },
    {
      phase: "run log as a second write (store.recordRun)",
      ms: ms(runLog),
      paid: "failed actions only (success: inside the commit)",
    },
    { phase: "whole action in process (runtime.run, SQLite)", ms: ms(whole), paid: "per action" },
  ];
}

async function ipcPhase(): Promise<Phase> {
  const time = (workers: number) =>
    withRuntime(workers, async (runtime) => {
      const first = await runtime.run({ caller: asDeveloper(), app: "BENCH", action: "bump" });
      const run = () =>
        runtime.run({
          caller: asDeveloper(),
          app: "BENCH",
          action: "bump",
          recordId: first.recordId ?? undefined,
        });
      await timeEach(200, run);
      return median(await timeEach(500, run));
    });
  const inProcess = await time(0);
  const inWorker = await time(1);
  return {
    phase: "worker process: IPC to the worker and back (serve default)",
    ms: round(inWorker - inProcess, 3),
    paid: "per action with --workers > 0",
  };
}

async function httpPhase(): Promise<Phase[]> {
  return withRuntime(0, async (runtime, store) => {
    const server = await createServer({ runtime, store, workspace: "DEMO", dataDir: tmpdir() });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const token = await createToken(store, { id: "bench", isAdmin: true });
    const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
    const agent = new Agent({ connections: 1 });
    const created = await request(`${url}/api/tickets/multi`, {
      method: "POST",
      headers,
      body: JSON.stringify([{ transition: "add", app_alias: "BENCH" }]),
      dispatcher: agent,
    });
    const id = ((await created.body.json()) as { data: { id: string } }[])[0].data.id;
    const common = async () =>
      (await request(`${url}/api/common`, { headers, dispatcher: agent })).body.text();
    const bump = async () =>
      (
        await request(`${url}/api/tickets/multi`, {
          method: "POST",
          headers,
          body: JSON.stringify([{ id, transition: "bump" }]),
          dispatcher: agent,
        })
      ).body.text();
    await timeEach(300, common);
    const http = await timeEach(1000, common);
    await timeEach(200, bump);
    const action = await timeEach(500, bump);
    await agent.close();
    await server.close();
    return [
      { phase: "HTTP + auth + JSON: GET /api/common round trip", ms: ms(http), paid: "per request" },
      { phase: "whole action over REST (tickets/multi, one client)", ms: ms(action), paid: "per action" },
    ];
  });
}

export async function phaseTable(): Promise<Phase[]> {
  const sandbox = await withRuntime(0, (runtime) => sandboxPhases(runtime));
  const store = await withRuntime(0, (runtime, s) => storePhases(s, runtime));
  const ipc = await ipcPhase();
  const http = await httpPhase();
  return [...http, ...store, ipc, ...sandbox].sort((a, b) => b.ms - a.ms);
}

export function formatTable(phases: Phase[]): string {
  const rows = phases.map((p) => `| ${p.phase} | ${p.ms.toFixed(3)} | ${p.paid} |`);
  return ["| phase | ms (median) | paid |", "| --- | ---: | --- |", ...rows].join("\n");
}

if (import.meta.main) {
  const phases = await phaseTable();
  console.log(process.argv.includes("--json") ? JSON.stringify(phases, null, 2) : formatTable(phases));
}

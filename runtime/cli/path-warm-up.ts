/**
 * `serve` warms its request path before it says it is ready (issue 27, "Ready when it says so").
 *
 * V8 compiles a function when it is first called and optimises it after many calls, so a fresh
 * server's first action paid for compiling the whole path — body parsing and validation, the
 * access check, the run, the bridge, the commit, the answer's serialiser — about 15 ms on top of
 * the ~2.5 ms a warm action takes. Warming the workers' isolates (sandbox/warm-up.ts) does not
 * reach the server's own code.
 *
 * This runs a few dozen actions of a built-in app (path-warm-up-app.ts) through a throwaway copy
 * of that path: its own SQLite store in a temporary folder, its own runtime (isolates in this
 * process) and its own HTTP server, driven with fastify's `inject`; then it closes and removes
 * all of it. The compiled code is shared with the real server, so the real path starts warm.
 * Nothing of the real server is touched: no installed app runs, nothing is written to its store,
 * its log or its metrics, and no span is exported (`untraced`). A warm-up that fails costs the
 * first user's action its cold start again, nothing else.
 *
 * @example
 *   const warmedUp = await warmRequestPath({ workspace: "DEMO", onProblem: (e) => log.warn(...) });
 *   // → { actions: 24, ms: 310 } or null
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { Client } from "undici";
import { createActionRuntime, type ActionRuntime } from "../runs/index.ts";
import { createServer, createToken } from "../server/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { untraced } from "../tracing.ts";
import { WARM_UP_ACTION, WARM_UP_APP_ALIAS, WARM_UP_APP_FILES } from "./path-warm-up-app.ts";

/** Enough calls for V8 to compile, and tier up, every function on the path (measured: 20–30). */
export const WARM_UP_ACTIONS = 24;

export interface WarmUpOptions {
  workspace: string;
  /** How many times the action runs (after one `add`). */
  actions?: number;
  /** Where its temporary folder goes (default: the system's temporary folder). */
  tmpRoot?: string;
  /** Told why a warm-up gave up; the server starts anyway. */
  onProblem?: (error: unknown) => void;
}

/** Resolves to what ran and how long it took, or null when it gave up; never throws. */
export async function warmRequestPath(
  options: WarmUpOptions,
): Promise<{ actions: number; ms: number } | null> {
  const started = performance.now();
  let dir: string | undefined;
  const open: { store?: Store; runtime?: ActionRuntime; server?: FastifyInstance } = {};
  try {
    dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), "comind-warm-up-"));
    const scratch = dir;
    const actions = await untraced(() => runWarmUp(scratch, options, open));
    return { actions, ms: Math.round(performance.now() - started) };
  } catch (error) {
    options.onProblem?.(error);
    return null;
  } finally {
    await open.server?.close().catch(() => undefined);
    await open.runtime?.close().catch(() => undefined);
    await open.store?.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function runWarmUp(
  dir: string,
  options: WarmUpOptions,
  open: { store?: Store; runtime?: ActionRuntime; server?: FastifyInstance },
): Promise<number> {
  const appDir = join(dir, "app");
  for (const [path, content] of Object.entries(WARM_UP_APP_FILES)) {
    mkdirSync(dirname(join(appDir, path)), { recursive: true });
    writeFileSync(join(appDir, path), content);
  }
  const store = await openStore({ dataDir: join(dir, "data") });
  open.store = store;
  // Isolates in this process: the path's own code is what needs compiling; the workers have
  // their own warm-up, and a worker process here would cost a boot.
  const runtime = await createActionRuntime({ store, workers: 0 });
  open.runtime = runtime;
  await runtime.loadApp(appDir);
  await runtime.start();
  const server = await createServer({ runtime, store, workspace: options.workspace, dataDir: dir });
  open.server = server;
  // A user without admin rights: the access checks take their longer path, as for most callers.
  const token = await createToken(store, { id: "warm-up", name: "warm-up", isAdmin: false });
  const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
  const multi = async (items: unknown[]) => {
    const reply = await server.inject({ method: "POST", url: "/api/tickets/multi", headers, payload: items });
    const answer = reply.json() as { successful?: boolean; data?: { id: string } }[];
    if (reply.statusCode !== 200 || !answer[0]?.successful)
      throw new Error(`warm-up action answered ${reply.statusCode}: ${reply.body.slice(0, 300)}`);
    return answer[0];
  };
  const added = await multi([{ transition: "add", app_alias: WARM_UP_APP_ALIAS, c_note: "warm-up" }]);
  const count = options.actions ?? WARM_UP_ACTIONS;
  for (let i = 0; i < count; i++)
    await multi([{ id: added.data?.id, transition: WARM_UP_ACTION, c_note: `warm-up ${i}` }]);
  await server.inject({
    method: "POST",
    url: "/api/tickets/list",
    headers,
    payload: { app_alias: WARM_UP_APP_ALIAS },
  });
  return count;
}

/**
 * One `GET /health` to the real server over a real socket (no credentials, no side effect): the
 * inject-driven warm-up does not reach the connection and HTTP parser code a client's first
 * request runs. Its own connection, closed after; never throws.
 */
export async function warmSocketPath(url: string): Promise<void> {
  const client = new Client(url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  try {
    const answer = await client.request({ method: "GET", path: "/health" });
    await answer.body.dump();
  } catch {
    // the server answers its clients all the same; only this warm-up is lost
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * The adversarial suite's stage: a real server (listening on 127.0.0.1, sandbox worker processes)
 * with the hostile app and a well-behaved app, mock servers for network attacks, and a
 * well-behaved client that keeps running actions while the hostile ones run.
 */
import { multiItems } from "../helpers/multi-items.ts";
import { gzipSync } from "node:zlib";
import { expect } from "vitest";
import { join } from "node:path";
import { request } from "undici";
import { createToken } from "../../runtime/server/auth.ts";
import { createServer } from "../../runtime/server/index.ts";
import type { SandboxLimits } from "../../runtime/sandbox/index.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import {
  startLoopbackServer as startServer,
  type LoopbackServer as TestServer,
} from "../helpers/http-test-servers.ts";

export const HOSTILE_SECRET = "hostile-secret-Zx81-value";
export const PROBE_SECRET = "probe-secret-never-for-hostile";
const BOMB = gzipSync(Buffer.alloc(64 * 1024 * 1024));

export interface Stage {
  t: TestRuntime;
  url: string;
  api: TestServer;
  other: TestServer;
  forbidden: TestServer;
  hostile(action: string, arg?: string): Promise<any>;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  friendly: { ok: number; failed: string[] };
  stop(): Promise<void>;
}

/**
 * Limits far from each other, so that on a slow, shared machine the limit a case provokes is the
 * one that fires: 5 s of CPU for loops (a memory bomb needs far less to fill 128 MB — but on a
 * busy machine the CPU a long segment of JavaScript used is read as high as its wall-clock time,
 * see runtime/sandbox/watchdog.ts, and 2 s let the CPU limit catch a map bomb first), 4 min of
 * wall clock (under the stage's request timeout) for the bombs and big payloads to finish on a
 * loaded machine: on 2 cores shared by ~30 busy processes, 2 s of CPU take over a minute.
 * The wall-clock cases run on a stage of their own (adversarial-deadlines.test.ts).
 */
export const STAGE_WALL_MS = 240_000;
export const STAGE_LIMITS: Partial<SandboxLimits> = {
  cpuMs: 5_000,
  wallMs: STAGE_WALL_MS,
  memoryMb: 128,
  // The 1 GB download is refused at the cap whatever the cap is; a small one keeps the case cheap.
  maxDownloadBytes: 8 * 1024 * 1024,
};

export async function startStage(limits: Partial<SandboxLimits> = STAGE_LIMITS): Promise<Stage> {
  const forbidden = await startServer((_req, res) => res.end("forbidden reached"), "127.0.0.2");
  const other = await startServer((req, res) => res.end(JSON.stringify(req.headers)));
  const api = await startServer((req, res) => {
    const path = req.url.split("?")[0];
    if (path === "/trickle") {
      res.writeHead(200);
      const timer = setInterval(() => res.write("."), 100);
      res.on("close", () => clearInterval(timer));
    } else if (path === "/bomb") res.writeHead(200, { "content-encoding": "gzip" }).end(BOMB);
    else if (path === "/giant") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 1024 && res.write(chunk)) sent++;
        if (sent >= 1024) res.end();
      };
      res.on("drain", pump);
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
    } else if (path === "/redirect-out") res.writeHead(302, { location: `${other.url}/landed` }).end();
    else if (path === "/redirect-forbidden") res.writeHead(302, { location: `${forbidden.url}/x` }).end();
    else res.end(JSON.stringify({ path: req.url }));
  });
  const t = await startRuntime({
    workers: 2,
    allowHosts: ["127.0.0.1"],
    limits,
    secrets: { COMIND_SECRET_HOSTILE_TOKEN: HOSTILE_SECRET, COMIND_SECRET_PROBE_TOKEN: PROBE_SECRET },
    onInternalError: () => undefined,
  });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-hostile"));
  const server = await createServer({
    runtime: t.runtime,
    store: t.store,
    workspace: "DEMO",
    dataDir: t.dataDir,
    // Longer than any stage's wall-clock limit: the action's own limit is what a case provokes.
    requestTimeoutMs: Math.max(STAGE_WALL_MS, limits.wallMs ?? 0) + 10_000,
  });
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  t.runtime.servesAt(address);
  const token = await createToken(t.store, { id: "attacker", name: "Attacker" });
  const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await request(`${address}${path}`, {
      method: method as "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? JSON.parse(text) : null };
  };

  const [seed] = (
    await call("POST", "/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }])
  ).json;
  if (!seed?.successful)
    throw new Error(`the friendly app's record was not created: ${JSON.stringify(seed)}`);
  const friendly = { ok: 0, failed: [] as string[] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await call("POST", "/api/apps/DEMO/PROBE/actions/increment", { id: seed.data.id }).catch(
        (error) => ({ status: 0, json: { error: String(error) } }),
      );
      if (res.status === 200 && res.json.ok) friendly.ok++;
      else if (res.json?.error?.code !== "conflict")
        friendly.failed.push(JSON.stringify(res.json).slice(0, 300));
    }
  })();

  return {
    t,
    url: address,
    api,
    other,
    forbidden,
    call,
    friendly,
    async hostile(action, arg) {
      const [created] = (
        await call("POST", "/api/tickets/multi", [
          { transition: "add", app_alias: "HOSTILE", c_arg: arg ?? null },
        ])
      ).json;
      const res = await call("POST", "/api/tickets/multi", [{ id: created.data.id, transition: action }]);
      // A batch whose only item failed answers the item's error status with `{ error, results }`.
      const item = multiItems(res.json)[0];
      return { ...item, recordId: created.data.id };
    },
    async stop() {
      running = false;
      await loop;
      await server.close();
      await t.close();
      await Promise.all([api.close(), other.close(), forbidden.close()]);
    },
  };
}

/** `fails`: the action must fail with `code`, cleanly, writing nothing. `note`: it must succeed; its c_note. */
export function caseOutcomes(stage: () => Stage) {
  return {
    async fails(action: string, code: string, arg?: string) {
      const item = await stage().hostile(action, arg);
      expect(item.successful, JSON.stringify(item).slice(0, 400)).toBe(false);
      expect(item.error.code).toBe(code);
      assertCleanError(item.error);
      expect(await stage().t.store.getRecord("DEMO", item.recordId)).toMatchObject({ revision: 1 });
      return item;
    },
    async note(action: string, arg?: string) {
      const item = await stage().hostile(action, arg);
      expect(item.successful, JSON.stringify(item).slice(0, 400)).toBe(true);
      return item.data.c_note as string;
    },
  };
}

const LEAKS =
  /\/work\/|\/tmp\/|node_modules|runtime\/(sandbox|host|actions|store)|globals\/|RuntimeError|isolated-vm|ivm\.|Reference\b|\.ts:\d+:\d+\)(?![\s\S]*actions\/logic)/;

/** A user-facing error: a stable code, and no host paths, host frames or internal class names. */
export function assertCleanError(error: { code: string; message: string; stack?: string }): void {
  const text = `${error.message}\n${error.stack ?? ""}`
    .split("\n")
    .filter((line) => !/actions\/logic\/index\.ts/.test(line))
    .join("\n");
  if (LEAKS.test(text)) throw new Error(`error leaks host details: ${text.slice(0, 500)}`);
  if (!/^[a-z_]+$/.test(error.code)) throw new Error(`unstable error code ${error.code}`);
}

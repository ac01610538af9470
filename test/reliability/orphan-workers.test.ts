/**
 * A server killed -9 while an action waits in a host call must not leave its sandbox worker
 * processes behind: each worker notices its parent is gone and leaves within seconds, whatever
 * its isolates are doing (isolated-vm's teardown would wait for a host reply that never comes).
 */
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { runCli } from "../helpers/cli.ts";
import { eventually } from "../helpers/eventually.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startServeChild } from "../helpers/serve-child.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-orphans-"));
let upstream: Server | undefined;
let workerPids: number[] = [];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  // Only the workers this test's own server started, by PID, if the test failed.
  for (const pid of workerPids) if (alive(pid)) process.kill(pid, "SIGKILL");
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("sandbox workers of a killed server", () => {
  it("leave within seconds when the server dies mid host call", async () => {
    // An upstream that takes the action's request and never answers: the isolate waits in RestApi.
    let arrived: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    upstream = createServer(() => arrived());
    await new Promise<void>((resolve) => upstream!.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const apps = join(dir, "apps");
    cpSync(join(FIXTURE_APPS, "app-http"), join(apps, "app-http"), { recursive: true });
    const data = join(dir, "data");
    const token = JSON.parse(
      (await runCli(["token", "create", "admin", "--admin", "--data", data, "--json"])).stdout,
    ).token as string;
    const serve = await startServeChild(
      ["--apps", apps, "--data", data, "--workers", "2", "--allow-host", "127.0.0.1"],
      {},
    );
    const call = async (path: string, body?: unknown) =>
      (await request(`${serve.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((res) => res.body.json())) as any;

    workerPids = (await call("/api/admin/stats")).workers.map((worker: { pid: number }) => worker.pid);
    expect(workerPids).toHaveLength(2);
    expect(workerPids.every(alive)).toBe(true);
    const [added] = await call("/api/tickets/multi", [{ transition: "add", app_alias: "HTTPPROBE" }]);
    const pending = call("/api/tickets/multi", [
      { id: added.data.id, transition: "send", c_request: { base, path: "/hang", timeout: 60_000 } },
    ]).catch(() => undefined);
    await waiting;

    serve.child.kill("SIGKILL");
    await pending;
    await eventually(async () => !workerPids.some(alive), 15_000);
  }, 120_000);
});

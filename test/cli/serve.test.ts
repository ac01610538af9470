import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { ROOT, runCli } from "../helpers/cli.ts";

// `npm start` as the README says: serves the example apps on an embedded store; SIGTERM shuts down cleanly.
const dir = mkdtempSync(join(tmpdir(), "comind-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startServer(): Promise<{ url: string; stop: () => Promise<number | null>; output: () => string }> {
  const child = spawn("npm", ["start", "--", "--port", "0", "--data", dir, "--workers", "1"], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"], detached: false,
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        output: () => output,
        stop: () => new Promise((done) => {
          child.once("exit", (code) => done(code));
          // Signal the server process itself (not npm or its shell), as a process manager would.
          spawn("pkill", ["-TERM", "-f", `^node --no-node-snapshot bin/comind-runtime.js serve --port 0 --data ${dir}`]);
        }),
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

describe("npm start", () => {
  it("serves the example apps, answers with a token, and shuts down on SIGTERM", async () => {
    const server = await startServer();
    const health = await request(`${server.url}/health`);
    expect(await health.body.json()).toEqual({ ok: true });
    const token = JSON.parse((await runCli(["token", "create", "admin", "--admin", "--data", dir, "--json"])).stdout).token;
    const common = await request(`${server.url}/api/common`, { headers: { authorization: `CMW_AUTH_CODE ${token}` } });
    const body = (await common.body.json()) as { server: { apps: string[] } };
    expect(body.server.apps).toEqual(expect.arrayContaining(["CONTACT", "USERDIR", "ORDER", "AWTASK", "REPORT"]));
    const stats = await request(`${server.url}/api/admin/stats`, { headers: { authorization: `CMW_AUTH_CODE ${token}` } });
    expect(((await stats.body.json()) as { workers: unknown[] }).workers).toHaveLength(1);
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.output()).toContain("shutting down");
  });
});

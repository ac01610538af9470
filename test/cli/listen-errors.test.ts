// `serve` and `dev` that cannot listen exit 1 with one line naming the port and the flag to
// change it — instead of `unexpected error: listen EADDRINUSE` and a process that never exits
// because its workers, queue and store were left open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenFailure } from "../../runtime/cli/listen-error.ts";
import { isRuntimeError } from "../../runtime/errors.ts";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-listen-"));
const apps = join(dir, "apps");
let holder: Server;
let taken: number;

/** A real server on an OS-chosen port of 127.0.0.1: the port the CLI will find taken. */
function hold(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function listenError(port: number, host: string): Promise<unknown> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", resolve);
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

beforeAll(async () => {
  mkdirSync(apps);
  holder = await hold();
  taken = (holder.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => holder.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

// A start that hangs is killed long after a slow machine would have answered; its exit code is then null.
const HANG_MS = 90_000;

describe("a taken port", () => {
  it("serve --port exits 1 with one line naming the port, --port and PORT", async () => {
    const data = join(dir, "serve-data");
    const result = await runCli(
      ["serve", "--port", String(taken), "--apps", apps, "--data", data, "--workers", "1"],
      { killAfterMs: HANG_MS },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `comind-runtime: port_in_use: Port ${taken} on 127.0.0.1 is already in use by another process: start with --port <n> (or PORT=<n>), or stop that process.`,
    ]);
  }, 120_000);

  it("dev on the port PORT names exits 1 the same way", async () => {
    const data = join(dir, "dev-data");
    const result = await runCli(["dev", "--apps", apps, "--data", data], {
      env: { PORT: String(taken) },
      killAfterMs: HANG_MS,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^comind-runtime: port_in_use: Port ${taken} on 127\\.0\\.0\\.1 .*--port <n> \\(or PORT=<n>\\)`,
      ),
    );
    expect(result.stderr).not.toContain("unexpected error");
  }, 120_000);
});

describe("a privileged port", () => {
  it("serve --port 1 as an ordinary user exits 1 with port_forbidden", async () => {
    // Root may bind port 1: the server runs as `nobody` then, as an ordinary user would meet it.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const data = join(dir, "open-data");
    mkdirSync(data);
    chmodSync(dir, 0o755);
    chmodSync(apps, 0o755);
    chmodSync(data, 0o777);
    const result = await runCli(["serve", "--port", "1", "--apps", apps, "--data", data, "--workers", "1"], {
      killAfterMs: HANG_MS,
      user,
      env: { HOME: tmpdir() },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "comind-runtime: port_forbidden: Port 1 needs privileges this user does not have: start with a port from 1024 up, e.g. --port 8080 (or PORT=8080).",
    ]);
  }, 120_000);
});

describe("listenFailure", () => {
  it("turns node's listen errors into coded errors and leaves others alone", async () => {
    const inUse = listenFailure(await listenError(taken, "127.0.0.1"), { port: taken, host: "127.0.0.1" });
    expect(isRuntimeError(inUse) && inUse.code).toBe("port_in_use");
    // 192.0.2.1 (TEST-NET-1) is never an address of this machine.
    const elsewhere = listenFailure(await listenError(0, "192.0.2.1"), { port: 0, host: "192.0.2.1" });
    expect(isRuntimeError(elsewhere) && elsewhere.code).toBe("host_unavailable");
    expect((elsewhere as Error).message).toContain("--host 127.0.0.1");
    const other = new Error("something else");
    expect(listenFailure(other, { port: 1, host: "127.0.0.1" })).toBe(other);
  });
});

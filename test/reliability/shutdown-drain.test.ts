/**
 * SIGTERM on a real `serve` process with keep-alive clients: a request that arrives on an open
 * connection after the signal is answered 503 `shutting_down` (Connection: close, Retry-After), not
 * reset; the process then exits 0.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startServeChild } from "../helpers/serve-child.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-drain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A keep-alive connection that collects what the server sends and says when it closes. */
async function keepAlive(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  let received = "";
  let error: string | null = null;
  socket.on("data", (chunk) => (received += chunk));
  socket.on("error", (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const get = (path: string) =>
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
  return { socket, get, closed, received: () => received, error: () => error };
}

describe("serve at SIGTERM", () => {
  it("answers a keep-alive client's next request 503 shutting_down instead of resetting it", async () => {
    cpSync(join(FIXTURE_APPS, "app-probe"), join(dir, "apps", "app-probe"), { recursive: true });
    const serve = await startServeChild(
      ["--apps", join(dir, "apps"), "--data", join(dir, "data"), "--workers", "0"],
      {
        // Long enough that a slow machine cannot end the drain before the client's next request.
        COMIND_SHUTDOWN_DRAIN_MS: "60000",
      },
    );
    const client = await keepAlive(serve.url);
    client.get("/health/live");
    await new Promise<void>((resolve) => {
      const check = () =>
        /\r\n\r\n\{"ok":true\}/.test(client.received()) ? resolve() : setTimeout(check, 20);
      check();
    });

    const exited = new Promise<number | null>((resolve) => serve.child.once("exit", (code) => resolve(code)));
    serve.child.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const check = () => (/shutting down/.test(serve.output()) ? resolve() : setTimeout(check, 20));
      check();
    });
    client.get("/health/live");
    await client.closed;
    const answers = client.received().split(/(?=HTTP\/1\.1 )/);
    expect(client.error()).toBeNull();
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(answers[1]).toMatch(/connection: close/i);
    expect(answers[1]).toMatch(/retry-after: 5/i);
    expect(answers[1]).toContain('"code":"shutting_down"');
    expect(await exited).toBe(0);
  }, 120_000);
});

/**
 * The remote API that the outbound benchmarks call: a tiny JSON server in its own process, as an
 * external API would be. (In the runtime's own process it would share the event loop with the
 * client, so a plain request would never pay the wake-up that every real request pays.)
 *
 *   const target = await startTargetServer(); ... target.url ... await target.stop();
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface TargetServer {
  url: string;
  placement: "own process" | "same process";
  stop(): Promise<void>;
}

function listen() {
  const server = createServer((_req, res) => res.end('{"pong":true}'));
  return new Promise<typeof server>((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** `placement: "same process"` keeps the old in-process figure for comparison. */
export async function startTargetServer(
  placement: TargetServer["placement"] = "own process",
): Promise<TargetServer> {
  if (placement === "same process") {
    const server = await listen();
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      placement,
      stop: () => new Promise((done) => server.close(() => done())),
    };
  }
  const child = fork(import.meta.filename, ["--serve"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve(Number(message)));
    child.once("exit", (code) => reject(new Error(`target server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    placement,
    stop: () =>
      new Promise((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

if (import.meta.main && process.argv.includes("--serve")) {
  const server = await listen();
  process.send?.((server.address() as AddressInfo).port);
  process.on("disconnect", () => process.exit(0));
}

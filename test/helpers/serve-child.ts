/**
 * A `comind-runtime serve` child process for reliability tests: started with the given env,
 * stopped by its own pid (never by name), with its output kept for assertions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

export interface ServeChild {
  url: string;
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/** @param onOutput sees the output so far each time more arrives (e.g. to act before it listens) */
export async function startServeChild(
  args: string[],
  env: Record<string, string>,
  onOutput: (output: string) => void = () => undefined,
): Promise<ServeChild> {
  const child = spawn(
    join(ROOT, "node_modules", ".bin", "node"),
    ["--no-node-snapshot", join(ROOT, "bin", "comind-runtime.js"), "serve", "--port", "0", ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let exited = false;
  child.on("exit", () => (exited = true));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output.slice(-3000)}`)), 60_000);
    const append = (chunk: Buffer) => {
      output += chunk;
      onOutput(output);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${output.slice(-3000)}`)));
  });
  return {
    url,
    child,
    output: () => output,
    alive: () => !exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * A `comind-runtime serve` child process on a database (several of them make a cluster), waited
 * for until it listens. Stopped by its own pid: SIGTERM, or SIGKILL to simulate a crash.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

const NODE = join(ROOT, "node_modules", ".bin", "node");
const BIN = join(ROOT, "bin", "comind-runtime.js");

export interface ServeNode {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM, resolved when the process has exited. */
  stop(): Promise<void>;
}

export function startServeNode(options: {
  appsDir: string;
  env: Record<string, string>;
  args?: string[];
  /** Run under `taskset -c <cpu>` (benchmarks pin each node to one core). */
  cpu?: number;
}): Promise<ServeNode> {
  const serve = [
    "--no-node-snapshot",
    BIN,
    "serve",
    "--apps",
    options.appsDir,
    "--port",
    "0",
    ...(options.args ?? []),
  ];
  const [command, args] =
    options.cpu === undefined ? [NODE, serve] : ["taskset", ["-c", String(options.cpu), NODE, ...serve]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1],
        output: () => output,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

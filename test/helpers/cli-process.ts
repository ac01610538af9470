/** A long-running `comind-runtime` child (mock, dev, serve) whose output the test waits on; stopped by its own PID. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output from `from` on. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM to this process only; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export function startCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; command?: string[] } = {},
): CliProcess {
  const command = options.command ?? [
    join(ROOT, "node_modules", ".bin", "node"),
    "--no-node-snapshot",
    join(ROOT, "bin", "comind-runtime.js"),
  ];
  const child = spawn(command[0], [...command.slice(1), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor: (pattern, from = 0, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}:\n${output.slice(-3000)}`));
        }, timeoutMs);
        function check() {
          const match = pattern.exec(output.slice(from));
          if (!match) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(match);
        }
        listeners.add(check);
        check();
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

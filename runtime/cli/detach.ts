/**
 * `--detach` for long-running commands a walkthrough starts and then uses (`mock crm --detach`):
 * this same command is started again as a detached process with `--json`, and the call returns
 * once that process has printed its JSON, i.e. once it is ready, so the next pasted line can rely
 * on it. A shell's `cmd &` returns at once and the next line raced the start (ECONNREFUSED).
 */
import { spawn } from "node:child_process";
import { RuntimeError } from "../errors.ts";
import { UsageError } from "./output.ts";

export interface Detached<T> {
  pid: number;
  ready: T;
}

/**
 * Starts `comind-runtime <args> --json` in its own process group, without a terminal, and resolves
 * with its pid and the JSON it printed. If it exits first, rejects with its own error line (bad
 * usage such as a taken port keeps its exit code 2).
 */
export function startDetached<T>(args: string[]): Promise<Detached<T>> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args, "--json"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    // Interrupted while waiting: the child is ours until it is ready.
    const abandon = () => child.kill("SIGTERM");
    process.once("SIGINT", abandon);
    process.once("SIGTERM", abandon);
    const settle = () => {
      process.off("SIGINT", abandon);
      process.off("SIGTERM", abandon);
    };
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      let ready: T;
      try {
        ready = JSON.parse(stdout) as T;
      } catch {
        return; // not the whole document yet
      }
      settle();
      // The child prints nothing more; let it run on without us (no pipes, no reference).
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve({ pid: child.pid as number, ready });
    });
    child.on("error", (error) => {
      settle();
      reject(error);
    });
    child.on("exit", (code) => {
      settle();
      const said = stderr.trim().replace(/^comind-runtime: /, "");
      if (code === 2) reject(new UsageError(said));
      else
        reject(
          new RuntimeError(
            "internal_error",
            `the background process stopped before it was ready (exit code ${code})${said ? `: ${said}` : ""}; run the command without --detach to see why.`,
          ),
        );
    });
  });
}

/** Runs the real `comind-runtime` binary (Node 24 from node_modules) and captures its output. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
const NODE = join(ROOT, "node_modules", ".bin", "node");
const BIN = join(ROOT, "bin", "comind-runtime.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    killAfterMs?: number;
    /** Run as this user (a root test process checking what an ordinary user meets). */
    user?: { uid: number; gid: number };
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ["--no-node-snapshot", BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...options.user,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // A command expected to exit (e.g. on bad usage) must not outlive its test if it starts instead.
    const killer = options.killAfterMs ? setTimeout(() => child.kill("SIGKILL"), options.killAfterMs) : null;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (killer) clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A `comind-runtime serve`/`dev`/`npm start` child process, waited for until it listens. */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { ROOT } from "./cli.ts";

export interface ServerProcess {
  url: string;
  /** PID of the server process itself (a descendant of the spawned child when npm is in between). */
  pid: number;
  output(): string;
  waitFor(pattern: RegExp, from?: number): Promise<void>;
  /** SIGTERM to the server process itself (not npm or its shell), as a process manager would. */
  stop(): Promise<number | null>;
}

/** Parent PID of every process on the machine (Linux /proc), to walk down from our own child. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process exited while we listed /proc.
    }
  }
  return parents;
}

function isDescendant(pid: number, ancestor: number): boolean {
  const parents = parentPids();
  for (let current: number | undefined = pid; current && current > 1; current = parents.get(current)) {
    if (current === ancestor) return true;
  }
  return false;
}

/**
 * Spawns `command` in a process group of its own. The server's PID is read from its own log line
 * ("Server listening", pino's `pid`) and checked to be in our child's process tree, so a stop can
 * only ever reach processes this test started — never other servers on a shared machine.
 */
export function startServerProcess(command: string, args: string[]): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${pattern}:\n${output.slice(-2000)}`)),
        60_000,
      );
      const check = () => {
        if (!pattern.test(output.slice(from))) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  const killGroup = () => {
    try {
      // Negative PID: the process group this spawn created (detached), i.e. only our own processes.
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const listening = /"pid":(\d+),[^\n]*"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/;
  return waitFor(listening).then(
    () => {
      const [, pidText, url] = listening.exec(output)!;
      const pid = Number(pidText);
      if (pid !== child.pid && !isDescendant(pid, child.pid!)) {
        killGroup();
        throw new Error(`the listening server (pid ${pid}) is not a process this test started`);
      }
      return {
        url,
        pid,
        output: () => output,
        waitFor,
        stop: () => {
          process.kill(pid, "SIGTERM");
          return exited;
        },
      };
    },
    (error) => {
      killGroup();
      throw error;
    },
  );
}

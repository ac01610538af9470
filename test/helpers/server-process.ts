/** A `comind-runtime serve`/`dev`/`npm start` child process, waited for until it listens. */
import { spawn } from "node:child_process";
import { ROOT } from "./cli.ts";

export interface ServerProcess {
  url: string;
  output(): string;
  waitFor(pattern: RegExp, from?: number): Promise<void>;
  /** SIGTERM to the server process itself (not npm or its shell), as a process manager would. */
  stop(): Promise<number | null>;
}

export function startServerProcess(
  command: string,
  args: string[],
  serverPattern: string,
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
        30_000,
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
  return waitFor(/Server listening at http:\/\/127\.0\.0\.1:\d+/).then(() => ({
    url: /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1],
    output: () => output,
    waitFor,
    stop: () =>
      new Promise((done) => {
        child.once("exit", (code) => done(code));
        spawn("pkill", ["-TERM", "-f", serverPattern]);
      }),
  }));
}

/**
 * REST benchmark as a client sees it: `comind-runtime serve` (its defaults: worker processes, info
 * logging, SQLite) in one process, the load generator (wrk if installed, else
 * bench/load-client.ts; 8 keep-alive clients) in another. Reports `tickets/multi` actions/s
 * against `GET /api/common` of the same server, and the latency of one action.
 *
 *   node --no-node-snapshot bench/rest.ts [--seconds 3] [--clients 8] [--workers N]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import { median } from "./stats.ts";

const ROOT = join(import.meta.dirname, "..");
// COMIND_BENCH_BIN: another checkout's CLI (a baseline, e.g. the main branch before a change).
const BIN = process.env.COMIND_BENCH_BIN ?? join(ROOT, "bin", "comind-runtime.js");

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/**
 * The load generator: wrk when it is installed (a C client: on a 2-core machine it leaves the
 * server nearly all of the CPU), else bench/load-client.ts (a Node client that takes about
 * 0.15 ms of CPU per request itself, which the server then lacks). Both hold `clients`
 * keep-alive connections, each sending its next request when the previous one answered.
 */
let generator: "wrk" | "node" | undefined;
export function loadGenerator(): "wrk" | "node" {
  generator ??= process.env.COMIND_BENCH_LOAD === "node" || !onPath("wrk") ? "node" : "wrk";
  return generator;
}

function onPath(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk --version exits with 1 after printing its version; only a missing binary throws ENOENT.
    return (error as { code?: string }).code !== "ENOENT";
  }
}

export function load(
  url: string,
  token: string,
  mode: string,
  seconds: number,
  clients: number,
  ids: string[],
) {
  const out =
    loadGenerator() === "wrk"
      ? execFileSync(
          "wrk",
          [
            `-t${clients}`,
            `-c${clients}`,
            `-d${seconds}s`,
            "-s",
            join(import.meta.dirname, "wrk-load.lua"),
            url,
          ],
          { encoding: "utf8", env: { ...process.env, MODE: mode, TOKEN: token, IDS: ids.join(",") } },
        )
      : execFileSync(
          process.execPath,
          [
            join(import.meta.dirname, "load-client.ts"),
            url,
            token,
            mode,
            String(seconds),
            String(clients),
            ids.join(","),
          ],
          { encoding: "utf8" },
        );
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}

/** `comind-runtime serve` in its own process; resolves once it logs that it listens (ready). */
export async function startServer(
  dataDir: string,
  workers?: number,
  options: { apps?: string; args?: string[] } = {},
) {
  const args = [
    "--no-node-snapshot",
    BIN,
    "serve",
    "--apps",
    options.apps ?? join(import.meta.dirname, "apps"),
    "--data",
    dataDir,
    "--port",
    "0",
    ...(options.args ?? []),
  ];
  if (workers !== undefined) args.push("--workers", String(workers));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${output.slice(-500)}`)));
  });
  // Keep the pipe drained: the server logs every request at info.
  child.stdout.resume();
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

/** An admin API token for the store in `dataDir` (made by the CLI, as an operator would). */
export function adminToken(dataDir: string): string {
  return JSON.parse(
    execFileSync(
      process.execPath,
      [BIN, "token", "create", "bench", "--admin", "--json", "--data", dataDir],
      {
        encoding: "utf8",
      },
    ),
  ).token as string;
}

/** Starts a server, runs the load, stops the server. */
export async function restBenchmark(
  options: { seconds?: number; clients?: number; workers?: number; rounds?: number } = {},
) {
  const seconds = options.seconds ?? 3;
  const clients = options.clients ?? 8;
  const dataDir = mkdtempSync(join(tmpdir(), "comind-rest-bench-"));
  try {
    const token = adminToken(dataDir);
    const server = await startServer(dataDir, options.workers);
    try {
      const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
      const created = await request(`${server.url}/api/tickets/multi`, {
        method: "POST",
        headers,
        body: JSON.stringify(
          Array.from({ length: clients }, () => ({ transition: "add", app_alias: "BENCH" })),
        ),
      });
      const ids = ((await created.body.json()) as { data: { id: string } }[]).map((item) => item.data.id);
      load(server.url, token, "bump", 2, clients, ids); // warm-up: isolates, JIT, caches
      // Alternating windows, so a change in the machine's load hits both sides of the ratio.
      const rounds = Array.from({ length: options.rounds ?? 3 }, () => ({
        common: load(server.url, token, "common", seconds, clients, ids),
        actions: load(server.url, token, "bump", seconds, clients, ids),
      }));
      const mid = (values: number[]) => median(values);
      return {
        clients,
        load_generator: loadGenerator(),
        workers: options.workers ?? "default",
        rounds: rounds.length,
        common_requests_per_s: mid(rounds.map((r) => r.common.perSecond)),
        actions_per_s: mid(rounds.map((r) => r.actions.perSecond)),
        ratio_actions_vs_common: Number(
          mid(rounds.map((r) => r.actions.perSecond / r.common.perSecond)).toFixed(3),
        ),
        action_p50_ms: mid(rounds.map((r) => r.actions.p50Ms)),
        action_p99_ms: mid(rounds.map((r) => r.actions.p99Ms)),
        failures: rounds.reduce((sum, r) => sum + r.common.failures + r.actions.failures, 0),
        budget_actions_per_s: 2000,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { seconds: { type: "string" }, clients: { type: "string" }, workers: { type: "string" } },
  });
  const result = await restBenchmark({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    clients: values.clients ? Number(values.clients) : undefined,
    workers: values.workers !== undefined ? Number(values.workers) : undefined,
  });
  console.log(JSON.stringify(result, null, 2));
}

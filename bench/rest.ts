/**
 * REST benchmark as a client sees it: `comind-runtime serve` (its defaults: worker processes, info
 * logging, SQLite) in one process, the load generator (bench/load-client.ts, 8 keep-alive clients)
 * in another. Reports `tickets/multi` actions/s against `GET /api/common` of the same server, and
 * the latency of one action.
 *
 *   node --no-node-snapshot bench/rest.ts [--seconds 5] [--clients 8] [--workers N]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "comind-runtime.js");

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

function load(url: string, token: string, mode: string, seconds: number, clients: number, ids: string[]) {
  const out = execFileSync(
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

async function startServer(dataDir: string, workers?: number) {
  const args = [
    "--no-node-snapshot",
    BIN,
    "serve",
    "--apps",
    join(import.meta.dirname, "apps"),
    "--data",
    dataDir,
    "--port",
    "0",
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
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

/** Starts a server, runs the load, stops the server. */
export async function restBenchmark(options: { seconds?: number; clients?: number; workers?: number } = {}) {
  const seconds = options.seconds ?? 5;
  const clients = options.clients ?? 8;
  const dataDir = mkdtempSync(join(tmpdir(), "comind-rest-bench-"));
  try {
    const token = JSON.parse(
      execFileSync(
        process.execPath,
        [BIN, "token", "create", "bench", "--admin", "--json", "--data", dataDir],
        {
          encoding: "utf8",
        },
      ),
    ).token as string;
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
      const common = load(server.url, token, "common", seconds, clients, ids);
      const actions = load(server.url, token, "bump", seconds, clients, ids);
      return {
        clients,
        workers: options.workers ?? "default",
        common_requests_per_s: common.perSecond,
        actions_per_s: actions.perSecond,
        ratio_actions_vs_common: Number((actions.perSecond / common.perSecond).toFixed(3)),
        action_p50_ms: actions.p50Ms,
        action_p99_ms: actions.p99Ms,
        failures: common.failures + actions.failures,
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

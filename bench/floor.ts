/**
 * This project against its physical floor (issue 27), alternated in one run with the same load
 * client: `serve` with its defaults on SQLite running the FLOOR app's `note` action over REST
 * (read the record by id, set c_note from the request, count and hash in the sandbox, write back
 * with a revision check and a history row, answer JSON), against bench/floor-server.ts — plain
 * fastify + node:sqlite doing the same job and writing the project's whole write set (FTS row,
 * run commit mark, run log row, read-back) with no sandbox. Budget: ≥ 0.8x of the floor's
 * actions/s, p99 ≤ 3x the floor's.
 *
 *   node --no-node-snapshot bench/floor.ts [--seconds 3] [--rounds 3] [--clients 8] [--workers N]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import { adminToken, load, loadGenerator, type LoadResult, startServer } from "./rest.ts";
import { median, round } from "./stats.ts";

const TICKS_PER_SECOND = 100; // USER_HZ of /proc/<pid>/stat on Linux

/** CPU seconds used so far by a process (all its threads), 0 once it is gone or off Linux. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return 0;
  }
}

/** A process's children (the server's worker processes). */
function childrenOf(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((task) =>
    readFileSync(`${dir}/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
}

/** Load on a server, with the CPU its process and its children spent per action meanwhile. */
function measured(pid: number, run: () => LoadResult) {
  const children = childrenOf(pid);
  const cpu = () => ({ main: cpuSeconds(pid), workers: children.reduce((sum, c) => sum + cpuSeconds(c), 0) });
  const before = cpu();
  const result = run();
  const after = cpu();
  const perAction = (seconds: number) => Math.round((seconds * 1e6) / Math.max(result.requests, 1));
  return {
    ...result,
    serverCpuUs: perAction(after.main - before.main),
    workersCpuUs: perAction(after.workers - before.workers),
  };
}

async function startFloor(dataDir: string, records: number) {
  const child = spawn(
    process.execPath,
    ["--no-node-snapshot", join(import.meta.dirname, "floor-server.ts"), dataDir, String(records)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const started = await new Promise<{ url: string; ids: string[] }>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      if (output.includes("\n")) resolve(JSON.parse(output.split("\n")[0]));
    });
    child.once("exit", (code) => reject(new Error(`floor server exited (${code}): ${output.slice(-500)}`)));
  });
  return {
    ...started,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

export async function floorBenchmark(
  options: { seconds?: number; clients?: number; workers?: number; rounds?: number } = {},
) {
  const seconds = options.seconds ?? 3;
  const clients = options.clients ?? 8;
  const dataDir = mkdtempSync(join(tmpdir(), "comind-floor-bench-"));
  const floorDir = mkdtempSync(join(tmpdir(), "comind-floor-plain-"));
  try {
    const token = adminToken(dataDir);
    const server = await startServer(dataDir, options.workers);
    const floor = await startFloor(floorDir, clients);
    try {
      const created = await request(`${server.url}/api/tickets/multi`, {
        method: "POST",
        headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
        body: JSON.stringify(
          Array.from({ length: clients }, () => ({ transition: "add", app_alias: "FLOOR" })),
        ),
      });
      const ids = ((await created.body.json()) as { data: { id: string } }[]).map((item) => item.data.id);
      const project = () =>
        measured(server.pid, () => load(server.url, token, "note", seconds, clients, ids));
      const plain = () =>
        measured(floor.pid, () => load(floor.url, token, "note", seconds, clients, floor.ids));
      // Warm-up (isolates, JIT, caches), then alternating windows so the machine's load hits both.
      load(server.url, token, "note", 2, clients, ids);
      load(floor.url, token, "note", 2, clients, floor.ids);
      const rounds = Array.from({ length: options.rounds ?? 3 }, () => ({
        project: project(),
        floor: plain(),
      }));
      const mid = (pick: (round: (typeof rounds)[number]) => number) => median(rounds.map(pick));
      return {
        job: "FLOOR note over REST: read by id, set c_note, count + hash, write back + history, answer JSON",
        clients,
        load_generator: loadGenerator(),
        workers: options.workers ?? "default",
        seconds_per_window: seconds,
        rounds: rounds.length,
        actions_per_s: mid((r) => r.project.perSecond),
        floor_actions_per_s: mid((r) => r.floor.perSecond),
        ratio_vs_floor: round(
          mid((r) => r.project.perSecond / r.floor.perSecond),
          3,
        ),
        budget_ratio: 0.8,
        p50_ms: mid((r) => r.project.p50Ms),
        p99_ms: mid((r) => r.project.p99Ms),
        floor_p50_ms: mid((r) => r.floor.p50Ms),
        floor_p99_ms: mid((r) => r.floor.p99Ms),
        p99_vs_floor: round(
          mid((r) => r.project.p99Ms / r.floor.p99Ms),
          2,
        ),
        budget_p99_vs_floor: 3,
        server_cpu_us_per_action: mid((r) => r.project.serverCpuUs),
        workers_cpu_us_per_action: mid((r) => r.project.workersCpuUs),
        floor_cpu_us_per_action: mid((r) => r.floor.serverCpuUs),
        failures: rounds.reduce((sum, r) => sum + r.project.failures + r.floor.failures, 0),
      };
    } finally {
      await Promise.all([server.stop(), floor.stop()]);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(floorDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string" },
      clients: { type: "string" },
      workers: { type: "string" },
      rounds: { type: "string" },
    },
  });
  const number = (value?: string) => (value !== undefined ? Number(value) : undefined);
  const result = await floorBenchmark({
    seconds: number(values.seconds),
    clients: number(values.clients),
    workers: number(values.workers),
    rounds: number(values.rounds),
  });
  console.log(JSON.stringify(result, null, 2));
}

/**
 * `--worker-nice` (sandbox/worker/priority.ts): the sandbox workers' CPU priority below the
 * server's, default against 0, alternated in one run on fresh `serve` processes.
 * - busy cores: the API's latency (`GET /api/common`, one client) while 4 `spin` actions burn
 *   every core until their CPU limit stops them. The server's main thread answers it, and at the
 *   same priority as the isolates it waits for a core behind them.
 * - throughput: the FLOOR `note` job over REST with wrk (bench/floor.ts's load), each setting in
 *   its own windows.
 *
 *   node --no-node-snapshot bench/worker-nice.ts [--rounds 4]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import { DEFAULT_WORKER_NICE } from "../runtime/sandbox/index.ts";
import { adminToken, load, startServer } from "./rest.ts";
import { median, percentile, round } from "./stats.ts";

const SPINNERS = 4;
const PROBE_MS = 3_000;

async function post(url: string, token: string, items: object[]) {
  const res = await request(`${url}/api/tickets/multi`, {
    method: "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: JSON.stringify(items),
  });
  return (await res.body.json()) as { data?: { id: string } }[];
}

/** API latency while SPINNERS actions keep the cores busy. */
async function busyCores(dataDir: string, token: string, nice: number) {
  const server = await startServer(dataDir, undefined, { args: ["--worker-nice", String(nice)] });
  try {
    const records = await post(
      server.url,
      token,
      Array.from({ length: SPINNERS }, () => ({ transition: "add", app_alias: "BENCH" })),
    );
    // One request each: the items of one tickets/multi request run one after another.
    const spinning = Promise.all(
      records.map((r) => post(server.url, token, [{ id: r.data!.id, transition: "spin" }])),
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the spinners have started
    const ms: number[] = [];
    for (const until = performance.now() + PROBE_MS; performance.now() < until; ) {
      const start = performance.now();
      const res = await request(`${server.url}/api/common`, {
        headers: { authorization: `CMW_AUTH_CODE ${token}` },
      });
      await res.body.dump();
      ms.push(performance.now() - start);
    }
    await spinning;
    return { perSecond: ms.length / (PROBE_MS / 1000), p99: percentile(ms, 99) };
  } finally {
    await server.stop();
  }
}

/** FLOOR `note` actions/s over REST with 8 clients. */
async function throughput(dataDir: string, token: string, nice: number, seconds: number) {
  const server = await startServer(dataDir, undefined, { args: ["--worker-nice", String(nice)] });
  try {
    const ids = (
      await post(
        server.url,
        token,
        Array.from({ length: 8 }, () => ({ transition: "add", app_alias: "FLOOR" })),
      )
    ).map((r) => r.data!.id);
    load(server.url, token, "note", 2, 8, ids); // warm-up
    return load(server.url, token, "note", seconds, 8, ids);
  } finally {
    await server.stop();
  }
}

export async function workerNiceBenchmark(options: { rounds?: number; seconds?: number } = {}) {
  const rounds = options.rounds ?? 4;
  const seconds = options.seconds ?? 3;
  const dataDir = mkdtempSync(join(tmpdir(), "comind-worker-nice-"));
  try {
    const token = adminToken(dataDir);
    const settings = [0, DEFAULT_WORKER_NICE];
    const busy = settings.map(() => [] as Awaited<ReturnType<typeof busyCores>>[]);
    const floor = settings.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++)
      for (const i of round % 2 ? [1, 0] : [0, 1]) {
        busy[i].push(await busyCores(dataDir, token, settings[i]));
        floor[i].push((await throughput(dataDir, token, settings[i], seconds)).perSecond);
      }
    const mid = (list: number[]) => round(median(list), 2);
    const [same, lowered] = busy.map((runs) => ({
      api_requests_per_s: mid(runs.map((r) => r.perSecond)),
      api_p99_ms: mid(runs.map((r) => r.p99)),
    }));
    return {
      job: `GET /api/common while ${SPINNERS} actions spin on every core; FLOOR note over REST (wrk, 8 clients)`,
      rounds,
      default_nice: DEFAULT_WORKER_NICE,
      busy_cores_nice_0: same,
      busy_cores_default: lowered,
      busy_api_requests_ratio: round(lowered.api_requests_per_s / same.api_requests_per_s, 2),
      floor_actions_per_s_nice_0: mid(floor[0]),
      floor_actions_per_s_default: mid(floor[1]),
      floor_throughput_ratio: round(median(floor[1].map((value, i) => value / floor[0][i])), 3),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rounds: { type: "string" }, seconds: { type: "string" } } });
  const result = await workerNiceBenchmark({
    rounds: values.rounds ? Number(values.rounds) : undefined,
    seconds: values.seconds ? Number(values.seconds) : undefined,
  });
  console.log(JSON.stringify(result, null, 2));
}

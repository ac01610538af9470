/**
 * The admission knee (issue 26): open-loop load at rising arrival rates against `serve` (its
 * defaults: SQLite, worker processes, --max-running-actions 64, --max-waiting-actions 256), each
 * rate for a few seconds, reporting per rate the admitted throughput, p50/p99 of admitted actions,
 * the share refused `503 overloaded`, and the time until the server answers as fast as when idle
 * after the load stops. The baseline, measured in the same run before and after the rates, is
 * the closed-loop capacity (8 keep-alive clients); rates are given as multiples of it.
 * `--compare="<serve flags>"` starts a second server with those flags (its own data folder) and
 * sends each rate to both, alternately, so the noisy machine hits both sides alike.
 * The result lands in bench/results.json under `admission_knee` (other keys are kept).
 *
 *   node --no-node-snapshot bench/admission-knee.ts [--seconds 4] [--rates 0.25,0.5,1,2] [--print]
 *     [--compare="--max-running-actions 16 --max-waiting-actions 32"]
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { request } from "undici";
import { adminToken, load, startServer } from "./rest.ts";
import { round } from "./stats.ts";

const RESULTS = join(import.meta.dirname, "results.json");
const DEFAULTS = "defaults (--max-running-actions 64, --max-waiting-actions 256)";

const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    rates: { type: "string" },
    print: { type: "boolean" },
    compare: { type: "string" },
  },
});
const seconds = Number(values.seconds ?? 4);
const multiples = (values.rates ?? "0.25,0.5,1,2").split(",").map(Number);

interface Target {
  flags: string;
  url: string;
  token: string;
  ids: string[];
  stop(): Promise<void>;
}

async function startTarget(flags: string[]): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), "comind-knee-bench-"));
  const token = adminToken(dataDir);
  const server = await startServer(dataDir, undefined, { args: flags });
  const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
  // 256 records: the per-record waiting limit (32) is not what refuses here.
  const ids: string[] = [];
  for (let batch = 0; batch < 4; batch++) {
    const created = await request(`${server.url}/api/tickets/multi`, {
      method: "POST",
      headers,
      body: JSON.stringify(Array.from({ length: 64 }, () => ({ transition: "add", app_alias: "BENCH" }))),
    });
    const body = (await created.body.json()) as { data: { id: string } }[];
    if (!Array.isArray(body)) throw new Error(`records not created: ${JSON.stringify(body).slice(0, 300)}`);
    ids.push(...body.map((item) => item.data.id));
  }
  load(server.url, token, "bump", 2, 8, ids); // warm-up: isolates, JIT, caches
  return {
    flags: flags.length ? flags.join(" ") : DEFAULTS,
    url: server.url,
    token,
    ids,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openLoop(target: Target, rate: number, healthyMs: number) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(import.meta.dirname, "open-loop-client.ts"),
      target.url,
      target.token,
      String(rate),
      String(seconds),
      target.ids.join(","),
      String(healthyMs),
    ],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

const capacity = (target: Target) => load(target.url, target.token, "bump", 3, 8, target.ids);

const targets = [await startTarget([])];
try {
  if (values.compare) targets.push(await startTarget(values.compare.split(/\s+/).filter(Boolean)));
  const before = targets.map(capacity);
  // Healthy: an action answered within 3 × the closed-loop p99 (or 50 ms on a fast machine).
  const healthyMs = Math.max(50, round(before[0].p99Ms * 3, 1));
  const rates: Record<string, unknown>[] = [];
  for (const multiple of multiples) {
    const rate = Math.max(10, Math.round(before[0].perSecond * multiple));
    for (const target of targets) {
      const result = await openLoop(target, rate, healthyMs);
      rates.push({ serve: target.flags, multiple_of_capacity: multiple, ...result });
      console.error(JSON.stringify(rates.at(-1)));
    }
  }
  const after = targets.map(capacity);
  const knee = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    load_average: loadavg().map((value) => round(value, 2)),
    note: "shared, noisy 2-core machine: the load generator runs on the same cores as the server; compare rows of one run only",
    command: process.argv.slice(2).join(" "),
    seconds_per_rate: seconds,
    healthy_ms: healthyMs,
    capacity_closed_loop: targets.map((target, i) => ({
      serve: target.flags,
      before: before[i],
      after: after[i],
    })),
    rates,
  };
  console.log(JSON.stringify(knee, null, 2));
  if (!values.print) {
    const results = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, "utf8")) : {};
    results.admission_knee = knee;
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  for (const target of targets) await target.stop();
}

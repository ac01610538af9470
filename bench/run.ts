/**
 * Benchmarks of the performance budget (docs/performance.md). Each prints a ratio against a baseline measured in
 * the same run (the machine is shared and noisy) and everything lands in bench/results.json.
 *
 *   npm run bench                      every section, written to bench/results.json
 *   node --no-node-snapshot bench/run.ts rest phases    some sections, printed only
 *   node --no-node-snapshot bench/run.ts memory_serve --record   one section, merged into results.json (--save: the same)
 *   bash bench/steps.sh main=648b93d now=HEAD            the same benchmarks on other commits
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { asDeveloper } from "../runtime/index.ts";
import { createActionRuntime, type ActionRuntime } from "../runtime/runs/index.ts";
import { buildApp, globalsScript } from "../runtime/bundle/index.ts";
import { openStore, type Store } from "../runtime/store/index.ts";
import { createNodeVmExecutor } from "./node-vm-executor.ts";
import { commitCost } from "./commit-cost.ts";
import { firstActionOverRest } from "./first-action.ts";
import { memoryPerApp, memoryThroughServe } from "./memory.ts";
import { phaseTable } from "./phases.ts";
import { restBenchmark } from "./rest.ts";
import { floorBenchmark } from "./floor.ts";
import { median, percentile, round, timeEach } from "./stats.ts";
import { outboundRequestSection } from "./outbound-breakdown.ts";
import { inProcessThroughput } from "./throughput.ts";
import { workerNiceBenchmark } from "./worker-nice.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");
const dirs: string[] = [];

async function runtimeWith(
  options: { vm?: boolean } = {},
): Promise<{ runtime: ActionRuntime; store: Store }> {
  const dir = mkdtempSync(join(tmpdir(), "comind-bench-"));
  dirs.push(dir);
  const store = await openStore({ dataDir: dir });
  const execute = options.vm ? createNodeVmExecutor(await globalsScript()) : undefined;
  const runtime = await createActionRuntime({ store, secrets: {}, allowHosts: ["127.0.0.1"], execute });
  await runtime.loadApp(APP);
  return { runtime, store };
}

async function okRun(runtime: ActionRuntime, request: Parameters<ActionRuntime["run"]>[0]) {
  const result = await runtime.run(request);
  if (!result.ok) throw new Error(`benchmark action failed: ${result.error.code} ${result.error.message}`);
  return result;
}

async function warmAction() {
  const measure = async (vm: boolean) => {
    const { runtime, store } = await runtimeWith({ vm });
    const first = await okRun(runtime, { caller: asDeveloper(), app: "BENCH", action: "bump" });
    await timeEach(100, () =>
      okRun(runtime, { caller: asDeveloper(), app: "BENCH", action: "bump", recordId: first.recordId }),
    );
    const samples = await timeEach(1000, () =>
      okRun(runtime, { caller: asDeveloper(), app: "BENCH", action: "bump", recordId: first.recordId }),
    );
    const records = await Promise.all(
      Array.from({ length: 8 }, () =>
        okRun(runtime, { caller: asDeveloper(), app: "BENCH", action: "bump" }),
      ),
    );
    const start = performance.now();
    let done = 0;
    await Promise.all(
      records.map(async (record) => {
        for (let i = 0; i < 250; i++, done++)
          await okRun(runtime, {
            caller: asDeveloper(),
            app: "BENCH",
            action: "bump",
            recordId: record.recordId,
          });
      }),
    );
    const perSecond = done / ((performance.now() - start) / 1000);
    await runtime.close();
    await store.close();
    return { p50: median(samples), p95: percentile(samples, 95), perSecond };
  };
  const isolate = await measure(false);
  const baseline = await measure(true);
  return {
    isolate_p50_ms: round(isolate.p50),
    isolate_p95_ms: round(isolate.p95),
    node_vm_p50_ms: round(baseline.p50),
    ratio_vs_node_vm: round(isolate.p50 / baseline.p50, 2),
    budget_ratio: 3,
    isolate_actions_per_s_concurrency_8: Math.round(isolate.perSecond),
    node_vm_actions_per_s_concurrency_8: Math.round(baseline.perSecond),
    budget_actions_per_s: 2000,
  };
}

/**
 * `RestApi.executeRequest()` against a plain undici request to the same server, both from this
 * process. The server runs in its own process, as an external API does; the same-process figure
 * (where a plain request never waits for another process) is kept for comparison.
 */
const outboundRequest = outboundRequestSection;

async function coldStartAndBuild() {
  const builds = await timeEach(20, () => buildApp(APP));
  const firstActions: number[] = [];
  for (let i = 0; i < 15; i++) {
    const { runtime, store } = await runtimeWith();
    const start = performance.now();
    await okRun(runtime, { caller: asDeveloper(), app: "BENCH", action: "bump" });
    firstActions.push(performance.now() - start);
    await runtime.close();
    await store.close();
  }
  return {
    build_median_ms: round(median(builds), 1),
    budget_build_ms: 100,
    first_action_median_ms: round(median(firstActions), 2),
    budget_first_action_ms: 10,
  };
}

const SECTIONS: Record<string, () => Promise<unknown>> = {
  rest: () => restBenchmark(),
  floor: () => floorBenchmark(),
  in_process: () => inProcessThroughput(),
  memory_50_apps: () => memoryPerApp(50),
  phases: phaseTable,
  warm_action: warmAction,
  outbound_request: outboundRequest,
  cold: coldStartAndBuild,
  commit_cost: () => commitCost(),
  first_action_rest: () => firstActionOverRest(),
  memory_serve: () => memoryThroughServe(),
  worker_nice: () => workerNiceBenchmark(),
};
const RESULTS = join(import.meta.dirname, "results.json");

// `node bench/run.ts outbound_request` runs one section and prints it (results.json untouched);
// with `--record` its result replaces that section in results.json (the others are kept).
const only = process.argv.slice(2).filter((arg) => arg in SECTIONS);
if (only.length > 0) {
  const recorded = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, "utf8")) : {};
  for (const name of only) {
    const result = await SECTIONS[name]();
    console.log(name, JSON.stringify(result, null, 2));
    recorded[name] = {
      ...(result as object),
      date: new Date().toISOString(),
      load_average: loadavg().map((value) => round(value, 2)),
    };
  }
  if (process.argv.includes("--record") || process.argv.includes("--save"))
    writeFileSync(RESULTS, `${JSON.stringify(recorded, null, 2)}\n`);
} else {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    // How busy the machine was when the run started (1, 5, 15 minutes): absolute figures follow it.
    load_average: loadavg().map((value) => round(value, 2)),
  };
  for (const [name, section] of Object.entries(SECTIONS)) results[name] = await section();
  // The per-step history (bench/steps.sh) is kept: it was measured against other commits.
  if (existsSync(RESULTS)) results.steps = JSON.parse(readFileSync(RESULTS, "utf8")).steps;
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

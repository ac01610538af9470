/**
 * Where the time of one `RestApi.executeRequest()` goes (the `outbound_request` section of
 * bench/run.ts): the same local server hit, alternated round by round, by (1) a bare undici
 * request, (2) the host HTTP client alone (egress checks, caps, deadline, call log), (3) the bare
 * undici request called from a bare isolate (the floor: bench/isolate-floor.ts), (4) the action's
 * executeRequest from the isolate, in process (`--workers 0`), (5) the same from a sandbox worker
 * process, as `serve` runs actions by default (the worker sends the request itself).
 * Budgets (issue 27): (5) ≤ 1.1x (4); (4) ≤ the floor + 0.4x a plain request.
 *
 *   node --no-node-snapshot bench/outbound-breakdown.ts            print both target placements
 *   node --no-node-snapshot bench/outbound-breakdown.ts --record   ... and merge them into
 *                                                                  results.json's outbound_request
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { asDeveloper } from "../runtime/index.ts";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { createActionRuntime } from "../runtime/runs/index.ts";
import { createHttpClient, DEFAULT_HTTP_POLICY } from "../runtime/host/http/index.ts";
import { openStore } from "../runtime/store/index.ts";
import { isolateFloor } from "./isolate-floor.ts";
import { median, round, timeEach } from "./stats.ts";
import { startTargetServer, type TargetServer } from "./target-server.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");
const N = 100;
/** `--rounds n` for a longer run on a busy machine. */
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = (roundsArg > 0 && Number(process.argv[roundsArg + 1])) || 15;

export async function outboundBreakdown(placement: TargetServer["placement"] = "own process") {
  const target = await startTargetServer(placement);
  const url = target.url;
  const agent = new Agent();
  const plain = async () => {
    const res = await request(`${url}/ping`, { dispatcher: agent });
    await res.body.text();
  };
  const signal = new AbortController().signal;
  const files = {} as Parameters<typeof createHttpClient>[0]["files"];
  const hostClient = async () => {
    const http = createHttpClient({
      policy: { ...DEFAULT_HTTP_POLICY, allowHosts: ["127.0.0.1"], maxRequests: 1000 },
      files,
      signal,
      onCall: () => undefined,
    });
    for (let i = 0; i < N; i++)
      await http.execute({
        baseUrl: url,
        path: "/ping",
        method: "GET",
        headers: [],
        query: [],
        params: [],
        segments: [],
        files: [],
      });
  };
  const dir = mkdtempSync(join(tmpdir(), "comind-bench-"));
  const store = await openStore({ dataDir: dir });
  const runtime = await createActionRuntime({ store, secrets: {}, allowHosts: ["127.0.0.1"] });
  await runtime.loadApp(APP);
  // The same store and app, actions run by a worker process as `serve` runs them (one is enough:
  // the calls of one action are sequential).
  const workerRuntime = await createActionRuntime({
    store,
    secrets: {},
    allowHosts: ["127.0.0.1"],
    workers: 1,
    spareWorkers: 0,
  });
  await workerRuntime.loadApp(APP);
  await workerRuntime.workers?.whenReady();
  const runIn = async (on: typeof runtime, count: number) => {
    const result = await on.run({
      caller: asDeveloper(),
      app: "BENCH",
      action: "call_api",
      recordId,
      values: { c_url: url, c_requests: count },
    });
    if (!result.ok) throw new Error(`${result.error.code} ${result.error.message}`);
    return result;
  };
  const run = (count: number) => runIn(runtime, count);
  const inWorker = (count: number) => runIn(workerRuntime, count);
  let recordId: string | undefined;
  recordId = (await run(0)).recordId;
  await timeEach(5, () => run(N));
  await timeEach(5, () => inWorker(N));
  await timeEach(5, hostClient);
  const floor = await isolateFloor(plain);
  await timeEach(5, () => floor.loop(N));
  await timeEach(500, plain);
  // Per call: an action of N requests minus an action of none, both timed in the same round.
  const perCall = async (on: (count: number) => Promise<unknown>) => {
    const [empty] = await timeEach(1, () => on(0));
    const [full] = await timeEach(1, () => on(N));
    return Math.max(full - empty, 0) / N;
  };
  const rows = {
    undici: [] as number[],
    host: [] as number[],
    bare: [] as number[],
    isolate: [] as number[],
    worker: [] as number[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    rows.isolate.push(await perCall(run));
    rows.worker.push(await perCall(inWorker));
    rows.host.push((await timeEach(1, hostClient))[0] / N);
    rows.bare.push((await timeEach(1, () => floor.loop(N)))[0] / N);
    rows.undici.push(
      (
        await timeEach(1, async () => {
          for (let i = 0; i < N; i++) await plain();
        })
      )[0] / N,
    );
  }
  floor.dispose();
  await workerRuntime.close();
  await runtime.close();
  await store.close();
  await agent.close();
  await target.stop();
  rmSync(dir, { recursive: true, force: true });
  // Ratios are medians of the per-round ratios: a change in the machine's load hits both sides of a round.
  const vsUndici = (values: number[]) => round(median(values.map((v, i) => v / rows.undici[i])), 2);
  const perRound = (ratio: (i: number) => number) => round(median(rows.undici.map((_, i) => ratio(i))), 2);
  return {
    target: placement,
    requests_per_round: N,
    rounds: ROUNDS,
    restapi_request_ms: round(median(rows.isolate)),
    undici_request_ms: round(median(rows.undici)),
    ratio_vs_undici: vsUndici(rows.isolate),
    // the same plain request called from a bare isolate (bench/isolate-floor.ts): the part of
    // the ratio that is isolated-vm's synchronous call itself
    bare_isolate_request_ms: round(median(rows.bare)),
    bare_isolate_ratio_vs_undici: vsUndici(rows.bare),
    host_client_request_ms: round(median(rows.host)),
    host_client_ratio_vs_undici: vsUndici(rows.host),
    // what the runtime adds over the floor, in plain requests: budget ≤ 0.4
    in_process_over_floor_x: perRound((i) => (rows.isolate[i] - rows.bare[i]) / rows.undici[i]),
    // the same call from a worker process, as `serve` runs actions: budget ≤ 1.1x in process
    worker_request_ms: round(median(rows.worker)),
    worker_ratio_vs_undici: vsUndici(rows.worker),
    worker_vs_in_process: perRound((i) => rows.worker[i] / rows.isolate[i]),
  };
}

/** results.json's `outbound_request` (bench/run.ts writes the same shape with the whole run). */
export async function outboundRequestSection() {
  const remote = await outboundBreakdown("own process");
  const local = await outboundBreakdown("same process");
  return {
    ...remote,
    budget_ratio: 1.5,
    budget_in_process_over_floor_x: 0.4,
    budget_worker_vs_in_process: 1.1,
    target_in_same_process: local,
  };
}

if (import.meta.main) {
  if (process.argv.includes("--record")) {
    const section = await outboundRequestSection();
    const file = join(import.meta.dirname, "results.json");
    // Merged: the other sections of results.json stay as they were measured.
    const results = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
    // How busy the machine was (1, 5, 15 minutes): absolute figures follow it, ratios less.
    const load = loadavg().map((value) => round(value, 2));
    results.outbound_request = { date: new Date().toISOString(), load_average: load, ...section };
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(section, null, 2));
  } else {
    console.log("target in its own process", await outboundBreakdown("own process"));
    console.log("target in the same process", await outboundBreakdown("same process"));
  }
}

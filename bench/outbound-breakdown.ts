/**
 * Where the time of one `RestApi.executeRequest()` goes (the `outbound_request` section of
 * bench/run.ts): the same local server hit, in one process and alternated round by round, by (1) a bare undici request, (2) the host HTTP client alone
 * (egress checks, caps, deadline, call log), (3) the bare undici request called from a bare
 * isolate (the floor: bench/isolate-floor.ts), (4) the action's executeRequest from the isolate.
 *
 *   node --no-node-snapshot bench/outbound-breakdown.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { asDeveloper } from "../runtime/index.ts";
import { tmpdir } from "node:os";
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
const ROUNDS = 15;

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
  const run = async (count: number) => {
    const result = await runtime.run({
      caller: asDeveloper(),
      app: "BENCH",
      action: "call_api",
      recordId,
      values: { c_url: url, c_requests: count },
    });
    if (!result.ok) throw new Error(`${result.error.code} ${result.error.message}`);
    return result;
  };
  let recordId: string | undefined;
  recordId = (await run(0)).recordId;
  await timeEach(5, () => run(N));
  await timeEach(5, hostClient);
  const floor = await isolateFloor(plain);
  await timeEach(5, () => floor.loop(N));
  await timeEach(500, plain);
  const empty = median(await timeEach(20, () => run(0)));
  const rows = {
    undici: [] as number[],
    host: [] as number[],
    bare: [] as number[],
    isolate: [] as number[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    rows.isolate.push(Math.max((await timeEach(1, () => run(N)))[0] - empty, 0) / N);
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
  await runtime.close();
  await store.close();
  await agent.close();
  await target.stop();
  rmSync(dir, { recursive: true, force: true });
  // Ratios are medians of the per-round ratios: a change in the machine's load hits both sides of a round.
  const vsUndici = (values: number[]) => round(median(values.map((v, i) => v / rows.undici[i])), 2);
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
  };
}

if (import.meta.main) {
  console.log("target in its own process", await outboundBreakdown("own process"));
  console.log("target in the same process", await outboundBreakdown("same process"));
}

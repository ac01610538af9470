/**
 * Where the time of one `RestApi.executeRequest()` goes: the same local server hit, in one process
 * and alternated round by round, by (1) a bare undici request, (2) the host HTTP client alone
 * (egress checks, caps, deadline, call log), (3) the bare undici request called from a bare
 * isolate (the floor: bench/isolate-floor.ts), (4) the action's executeRequest from the isolate.
 *
 *   node --no-node-snapshot bench/outbound-breakdown.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { createActionRuntime } from "../runtime/actions/index.ts";
import { createHttpClient, DEFAULT_HTTP_POLICY } from "../runtime/host/http/index.ts";
import { openStore } from "../runtime/store/index.ts";
import { isolateFloor } from "./isolate-floor.ts";
import { median, round, timeEach } from "./stats.ts";
import { startTargetServer, type TargetServer } from "./target-server.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");
const N = 100;

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
  for (let r = 0; r < 15; r++) {
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
  const u = median(rows.undici);
  return {
    undici_ms: round(u),
    host_client_ms: round(median(rows.host)),
    bare_isolate_ms: round(median(rows.bare)),
    executeRequest_ms: round(median(rows.isolate)),
    host_vs_undici: round(median(rows.host) / u, 2),
    bare_isolate_vs_undici: round(median(rows.bare.map((v, i) => v / rows.undici[i])), 2),
    executeRequest_vs_undici: round(median(rows.isolate.map((v, i) => v / rows.undici[i])), 2),
  };
}

if (import.meta.main) {
  console.log("target in its own process", await outboundBreakdown("own process"));
  console.log("target in the same process", await outboundBreakdown("same process"));
}

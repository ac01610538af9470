/**
 * What keeping runs replayable costs a run that succeeds: the default `--record-runs failed` taps
 * every host call (its argument and answer are serialized as they pass, the recording is built
 * only for a failure) against `off`. The same app (`call_api`: N outbound requests to a local
 * server whose body is small or 1 MB) runs on two runtimes in one process, alternated round by
 * round (`BENCH_MODE=off` runs off against off: the noise floor); the ratio of the medians is printed.
 *
 *   node --no-node-snapshot bench/recording-overhead.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asDeveloper } from "../runtime/index.ts";
import { createActionRuntime } from "../runtime/runs/index.ts";
import { openStore } from "../runtime/store/index.ts";
import { median, round, timeEach } from "./stats.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");
const ROUNDS = 16;
const RUNS_PER_ROUND = 20;

async function runtimeWith(mode: "failed" | "off") {
  const dir = mkdtempSync(join(tmpdir(), "comind-bench-"));
  const store = await openStore({ dataDir: dir });
  const runtime = await createActionRuntime({
    store,
    secrets: {},
    allowHosts: ["127.0.0.1"],
    recording: { mode, sensitiveFields: [] },
  });
  await runtime.loadApp(APP);
  return {
    runtime,
    close: async () => {
      await runtime.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  let body = "{}";
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const recorded = await runtimeWith((process.env.BENCH_MODE as "failed" | "off") ?? "failed");
  const plain = await runtimeWith("off");
  const run = (runtime: typeof plain.runtime) =>
    runtime.run({
      caller: asDeveloper(),
      app: "BENCH",
      action: "call_api",
      values: { c_url: url, c_requests: 5 },
    });
  for (const [label, size] of [
    ["small body", 2],
    ["1 MB body", 1024 * 1024],
  ] as const) {
    body = JSON.stringify({ data: "x".repeat(size) });
    await timeEach(5, () => run(recorded.runtime));
    await timeEach(5, () => run(plain.runtime));
    const on: number[] = [];
    const off: number[] = [];
    // Which runtime goes first alternates too: the first of a pair pays for the other's garbage.
    for (let r = 0; r < ROUNDS; r++) {
      const pair = [
        async () => on.push(median(await timeEach(RUNS_PER_ROUND, () => run(recorded.runtime)))),
        async () => off.push(median(await timeEach(RUNS_PER_ROUND, () => run(plain.runtime)))),
      ];
      if (r % 2) pair.reverse();
      for (const step of pair) await step();
    }
    console.log(
      `${label}, 5 requests per run: record-runs failed ${round(median(on), 2)} ms, off ${round(median(off), 2)} ms, ratio ${round(median(on) / median(off), 3)}`,
    );
  }
  await recorded.close();
  await plain.close();
  server.close();
}

await main();

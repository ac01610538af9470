/**
 * Actions per second in process: 8 concurrent callers of `runtime.run` (the trivial `bump`
 * action, SQLite, isolates in this process), and the p50/p99 of one action alone.
 *
 *   node --no-node-snapshot bench/throughput.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { asDeveloper } from "../runtime/index.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createActionRuntime } from "../runtime/runs/index.ts";
import { openStore } from "../runtime/store/index.ts";
import { median, percentile, round, timeEach } from "./stats.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");

export async function inProcessThroughput(options: { concurrency?: number; perCaller?: number } = {}) {
  const concurrency = options.concurrency ?? 8;
  const perCaller = options.perCaller ?? 400;
  const dir = mkdtempSync(join(tmpdir(), "comind-throughput-"));
  const store = await openStore({ dataDir: dir });
  const runtime = await createActionRuntime({ store, secrets: {} });
  try {
    await runtime.loadApp(APP);
    const ids: string[] = [];
    for (let i = 0; i < concurrency; i++) {
      const created = await runtime.run({ caller: asDeveloper(), app: "BENCH", action: "bump" });
      if (!created.ok) throw new Error(created.error.message);
      ids.push(created.recordId);
    }
    const bump = async (id: string) => {
      const result = await runtime.run({ caller: asDeveloper(), app: "BENCH", action: "bump", recordId: id });
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    };
    await timeEach(200, () => bump(ids[0]));
    const alone = await timeEach(1000, () => bump(ids[0]));
    const start = performance.now();
    await Promise.all(ids.map(async (id) => timeEach(perCaller, () => bump(id))));
    const perSecond = (concurrency * perCaller) / ((performance.now() - start) / 1000);
    return {
      concurrency,
      actions_per_s: Math.round(perSecond),
      action_p50_ms: round(median(alone)),
      action_p99_ms: round(percentile(alone, 99)),
    };
  } finally {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await inProcessThroughput(), null, 2));

/**
 * Memory per warm app isolate: 50 copies of the bench app (different aliases) installed in one
 * runtime, one action each so every app has one warm isolate with its hardened context; reports
 * the isolates' used heap and the process RSS growth, per app.
 *
 *   node --no-node-snapshot bench/memory.ts
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { asDeveloper } from "../runtime/index.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createActionRuntime } from "../runtime/runs/index.ts";
import { openStore } from "../runtime/store/index.ts";
import { round } from "./stats.ts";

const APP = join(import.meta.dirname, "apps", "app-bench");

function copyApps(count: number, into: string): string {
  const appsDir = join(into, "apps");
  for (let i = 1; i <= count; i++) {
    const dir = join(appsDir, `app-bench-${i}`);
    cpSync(APP, dir, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    pkg.comindApp.publishingAlias = `BENCH${i}`;
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  }
  return appsDir;
}

export async function memoryPerApp(count = 50) {
  const dir = mkdtempSync(join(tmpdir(), "comind-memory-"));
  const store = await openStore({ dataDir: join(dir, "data") });
  const runtime = await createActionRuntime({ store, secrets: {} });
  try {
    const apps = await runtime.loadAppsFrom(copyApps(count, dir));
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    for (const app of apps) {
      const result = await runtime.run({ caller: asDeveloper(), app: app.alias, action: "bump" });
      if (!result.ok) throw new Error(result.error.message);
    }
    globalThis.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const stats = runtime.config.pool.stats();
    const heapMb = stats.reduce((sum, app) => sum + app.usedHeapMb, 0);
    return {
      apps: count,
      warm_isolates: stats.reduce((sum, app) => sum + app.isolates, 0),
      isolate_used_heap_mb_per_app: round(heapMb / count, 2),
      rss_growth_mb_per_app: round((rssAfter - rssBefore) / 1024 / 1024 / count, 2),
    };
  } finally {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await memoryPerApp(), null, 2));

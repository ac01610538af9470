/**
 * Memory per app. `memoryPerApp`: 50 copies of the bench app (different aliases) installed in one
 * runtime, one action each so every app has one warm isolate with its hardened context; reports
 * the isolates' used heap and the process RSS growth, per app. `memoryThroughServe` (issue 27,
 * "Light per app"): `serve` with its defaults (worker processes, the default warm-isolate budget)
 * and 1, 50, 200, 1,000 generated apps; the RSS of the server and all its child processes once it
 * is ready (installed, prewarmed), then after one action of every app over REST, with the warm
 * isolates and evictions per worker from /api/admin/stats.
 *
 *   node --no-node-snapshot --expose-gc bench/memory.ts [serve [1,50,200,1000]]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "undici";
import { adminToken, startServer } from "./rest.ts";
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

/** RSS of a process and all its descendants, MB (Linux /proc). */
function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (id: number) => {
    try {
      const status = readFileSync(`/proc/${id}/status`, "utf8");
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const children = readFileSync(`/proc/${id}/task/${id}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
    } catch {
      // the process ended meanwhile
    }
  };
  visit(pid);
  return Math.round(kb / 1024);
}

interface WorkerStat {
  rssMb: number;
  pool?: { isolates: number; warmMb: number; warmBudgetMb: number | null; evictions: number };
}

async function serveWithApps(count: number, concurrency = 4) {
  const dir = mkdtempSync(join(tmpdir(), "comind-memory-serve-"));
  try {
    const appsDir = copyApps(count, dir);
    const dataDir = join(dir, "data");
    const token = adminToken(dataDir);
    const started = performance.now();
    const server = await startServer(dataDir, undefined, { apps: appsDir });
    const readyMs = Math.round(performance.now() - started);
    const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
    const workers = async () => {
      const res = await request(`${server.url}/api/admin/stats`, { headers });
      const stats = (await res.body.json()) as { workers: WorkerStat[] };
      return stats.workers.map((w) => ({
        rss_mb: w.rssMb,
        warm_isolates: w.pool?.isolates,
        warm_mb: w.pool?.warmMb,
        evictions: w.pool?.evictions,
      }));
    };
    try {
      const installedMb = treeRssMb(server.pid);
      const afterStart = await workers();
      let next = 1;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next <= count) {
            const alias = `BENCH${next++}`;
            const res = await request(`${server.url}/api/tickets/multi`, {
              method: "POST",
              headers,
              body: JSON.stringify([{ transition: "add", app_alias: alias }]),
            });
            const body = (await res.body.json()) as { successful: boolean }[];
            if (!body[0]?.successful) throw new Error(`${alias}: ${JSON.stringify(body)}`);
          }
        }),
      );
      return {
        apps: count,
        ready_after_start_ms: readyMs,
        installed_total_rss_mb: installedMb,
        warm_after_start: afterStart.map((w) => w.warm_isolates),
        each_run_once_total_rss_mb: treeRssMb(server.pid),
        workers_after_runs: await workers(),
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Total memory (server + workers) of `serve` with each count of apps, installed and each run once. */
export async function memoryThroughServe(counts = [1, 50, 200, 1000]) {
  const results = [];
  for (const count of counts) results.push(await serveWithApps(count));
  return {
    server: "serve defaults (workers: one per core but one, plus a spare; default --warm-isolates-mb)",
    budget_total_mb: { installed_1000_apps: 1536, each_run_once_200_apps: 800 },
    results,
  };
}

if (import.meta.main) {
  if (process.argv[2] === "serve") {
    const counts = process.argv[3]?.split(",").map(Number);
    console.log(JSON.stringify(await memoryThroughServe(counts), null, 2));
  } else console.log(JSON.stringify(await memoryPerApp(), null, 2));
}

/**
 * GET /metrics: the server's Prometheus registry in the text format (docs/operators.md,
 * "Metrics"). Who may read it is the `metrics` policy of route-access.ts. The gauges read at
 * scrape time get their sources here: the job queue, the sandbox, admission, the store's pools.
 */
import type { FastifyInstance } from "fastify";
import type { IsolateUse, PrometheusMetrics } from "../../metrics/index.ts";
import type { ActionRuntime } from "../../runs/index.ts";
import type { Queue } from "../../queue/index.ts";
import type { LifecyclePort } from "../../store/index.ts";

const MB = 1024 * 1024;

/** Warm isolates per app across the worker processes (or this process): pool keys are `alias:hash:memory`. */
async function sandboxUse(runtime: ActionRuntime): Promise<{ workers: number; isolates: IsolateUse[] }> {
  const stats = await runtime.sandboxStats();
  const pools = [...stats.workers.flatMap((worker) => worker.apps), ...stats.inProcessIsolates];
  const byApp = new Map<string, IsolateUse>();
  for (const pool of pools) {
    const app = pool.key.split(":")[0];
    const use = byApp.get(app) ?? { app, isolates: 0, heapBytes: 0 };
    use.isolates += pool.isolates;
    use.heapBytes += Math.round(pool.usedHeapMb * MB);
    byApp.set(app, use);
  }
  return { workers: stats.workers.length, isolates: [...byApp.values()] };
}

export function registerMetricsRoute(
  server: FastifyInstance,
  metrics: PrometheusMetrics,
  sources: { runtime: ActionRuntime; store: Pick<LifecyclePort, "poolStats">; queue?: Pick<Queue, "depth"> },
): void {
  const { runtime, store, queue } = sources;
  metrics.observe({
    queueDepth: queue ? () => queue.depth() : undefined,
    sandbox: () => sandboxUse(runtime),
    admission: () => runtime.admissionStats(),
    databasePools: () => store.poolStats(),
  });
  server.get(
    "/metrics",
    { schema: { hide: true }, config: { access: "metrics" } },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.header("content-type", contentType).header("cache-control", "no-store").send(body);
    },
  );
}

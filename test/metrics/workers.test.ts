/**
 * The sandbox in /metrics with worker processes: warm isolates and their heap come from the
 * workers' own stats, and a worker that dies counts as a restart once it is replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { createPrometheusMetrics } from "../../runtime/metrics/index.ts";
import { eventually } from "../helpers/eventually.ts";
import { readScrape } from "../helpers/prometheus.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

describe("/metrics with sandbox workers", () => {
  let api: TestServerApi;
  const scrape = async () => readScrape((await api.server.inject({ method: "GET", url: "/metrics" })).body);

  beforeAll(async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    api = await startApi([writeTempApp({}, { alias: "WORKED" })], {
      runtime: { metrics, workers: 1, onInternalError: () => undefined }, // the kill below is logged there
      server: { metrics: { registry: metrics } },
    });
  });
  afterAll(async () => {
    await api?.close();
    removeTempApps();
  });

  it("reports the workers' warm isolates, and a killed worker as one restart", async () => {
    const result = await api.runtime.run({ caller: asDeveloper(), app: "WORKED", action: "go" });
    expect(result.ok).toBe(true);
    const warm = await scrape();
    expect(warm.value("comind_sandbox_workers")).toBe(1);
    expect(warm.value("comind_sandbox_isolates", { app: "WORKED" })).toBe(1);
    expect(warm.value("comind_sandbox_isolate_heap_bytes", { app: "WORKED" })).toBeGreaterThan(100_000);
    expect(warm.value("comind_sandbox_worker_restarts_total")).toBe(0);

    const [pid] = api.runtime.workers!.pids();
    process.kill(pid, "SIGKILL"); // a worker process this test's runtime started
    await eventually(async () => api.runtime.workers!.crashes === 1, 30_000);
    const after = await scrape();
    expect(after.value("comind_sandbox_worker_restarts_total")).toBe(1);
    expect(after.value("comind_sandbox_workers")).toBe(1);
  });
});

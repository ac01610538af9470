/**
 * What the metrics add to one action on the hot path: the recorder calls of one action (its
 * outcome and latency, its commit time, one outbound call) on the Prometheus registry vs the
 * no-op default, alternating rounds in one process. Also the time of one scrape.
 *
 *   node --no-node-snapshot bench/metrics-cost.ts
 */
import { createPrometheusMetrics, type Metrics, NO_METRICS } from "../runtime/metrics/index.ts";
import { median } from "./stats.ts";

const CALLS = 200_000;
const APPS = ["CRM", "DESK", "BILLING", "HR"];
const ACTIONS = ["add", "edit", "sync", "approve"];

function perAction(metrics: Metrics): number {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const app = APPS[i & 3];
    const action = ACTIONS[(i >> 2) & 3];
    metrics.action(app, action, i % 50 === 0 ? "logic_error" : "ok", 0.004);
    metrics.commit(0.0002);
    metrics.httpCall("api.example.com:443", 200);
  }
  return ((performance.now() - started) * 1e6) / CALLS;
}

export async function metricsCost() {
  const prometheus = createPrometheusMetrics();
  perAction(prometheus); // warm-up: label children resolved, JIT
  perAction(NO_METRICS);
  const rounds = Array.from({ length: 5 }, () => ({ off: perAction(NO_METRICS), on: perAction(prometheus) }));
  const scrapes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await prometheus.scrape();
    scrapes.push(performance.now() - started);
  }
  return {
    ns_per_action_no_metrics: Number(median(rounds.map((r) => r.off)).toFixed(1)),
    ns_per_action_prometheus: Number(median(rounds.map((r) => r.on)).toFixed(1)),
    scrape_ms: Number(median(scrapes).toFixed(2)),
  };
}

if (import.meta.main) console.log(JSON.stringify(await metricsCost(), null, 2));

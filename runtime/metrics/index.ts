/**
 * Metrics: the recorder interface every layer calls (recorder.ts, a no-op by default) and its
 * Prometheus implementation (prometheus.ts). The lowest layer: it imports no runtime folder, so
 * any folder may record; scrape-time gauges get their sources from the server's assembly.
 */
export {
  type JobOutcome,
  type MailOutcome,
  type Metrics,
  NO_METRICS,
  type RefusalReason,
} from "./recorder.ts";
export {
  createPrometheusMetrics,
  type IsolateUse,
  type PoolUse,
  PrometheusMetrics,
  type QueueDepth,
  type ScrapeSources,
} from "./prometheus.ts";
export { DEFAULT_MAX_HOSTS, HostLabels, OTHER_HOST } from "./hosts.ts";

/**
 * The Grafana dashboard of docs/grafana/ against a real scrape: every metric a panel queries is
 * one the server exports (a renamed metric leaves no silently empty panel), and every comind_
 * metric the server exports has a panel.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../runtime/metrics/index.ts";
import { readScrape, type Scrape } from "../helpers/prometheus.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

const DASHBOARD = join(import.meta.dirname, "..", "..", "docs", "grafana", "comind-runtime.json");

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; panels: Panel[] };
const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
/** Metric names in PromQL: ours and the process/Node.js defaults (histograms by their family name). */
const queried = new Set(
  expressions.flatMap((expr) =>
    [...expr.matchAll(/\b((?:comind|process|nodejs)_[a-z0-9_]+)/g)].map((match) =>
      match[1].replace(/_(bucket|count|sum)$/, ""),
    ),
  ),
);

describe("docs/grafana/comind-runtime.json", () => {
  let api: TestServerApi;
  let scrape: Scrape;

  beforeAll(async () => {
    const metrics = createPrometheusMetrics();
    api = await startApi([], { runtime: { metrics }, server: { metrics: { registry: metrics } } });
    const reply = await api.server.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    scrape = readScrape(reply.body);
  });
  afterAll(() => api?.close());

  it("queries only metrics a server exports", () => {
    expect(expressions.length).toBeGreaterThan(15);
    const exported = new Set(scrape.families.map((family) => family.name));
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it("has a panel for every comind_ metric a server exports", () => {
    const ours = scrape.families.map((family) => family.name).filter((name) => name.startsWith("comind_"));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.filter((name) => !queried.has(name))).toEqual([]);
  });

  it("picks its Prometheus and its nodes from variables, not a fixed data source", () => {
    const text = JSON.stringify(dashboard.panels);
    expect(text).not.toMatch(/"uid":"(?!\$\{datasource\})/);
    for (const expr of expressions) expect(expr, expr).toContain('instance=~"$instance"');
  });
});

/**
 * Who may read /metrics (server/metrics-access.ts through route-access.ts): without a token only
 * loopback clients, whatever API credential another client sends; with a token its bearer from
 * anywhere, and nobody without it (not even on loopback: a proxy there makes every client local).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusMetrics, HostLabels, OTHER_HOST } from "../../runtime/metrics/index.ts";
import { createServer } from "../../runtime/server/index.ts";
import { readScrape } from "../helpers/prometheus.ts";
import { authAs } from "../helpers/server.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const ELSEWHERE = "203.0.113.7";
const TOKEN = "scrape-me-3f9a";

describe("/metrics access", () => {
  let t: TestRuntime;
  let loopbackOnly: FastifyInstance;
  let withToken: FastifyInstance;
  let withoutMetrics: FastifyInstance;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await startRuntime();
    const make = (metrics?: { token?: string }) =>
      createServer({
        runtime: t.runtime,
        store: t.store,
        workspace: "DEMO",
        dataDir: "",
        metrics: metrics && { registry: createPrometheusMetrics({ defaultMetrics: false }), ...metrics },
      });
    loopbackOnly = await make({});
    withToken = await make({ token: TOKEN });
    withoutMetrics = await make();
    admin = await authAs(t.store, { id: "root", isAdmin: true });
  });
  afterAll(async () => {
    await Promise.all([loopbackOnly, withToken, withoutMetrics].map((server) => server?.close()));
    await t?.close();
  });

  const scrape = (server: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
    server.inject({ method: "GET", url: "/metrics", remoteAddress, headers });

  it("answers loopback clients (IPv4, IPv6, IPv4-mapped) without a token", async () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      const reply = await scrape(loopbackOnly, address);
      expect(reply.statusCode, address).toBe(200);
      expect(readScrape(reply.body).families.map((family) => family.name)).toContain("comind_actions_total");
    }
  });

  it("refuses every other address without a token, also an admin's API credential", async () => {
    for (const headers of [{}, admin]) {
      const reply = await scrape(loopbackOnly, ELSEWHERE, headers);
      expect(reply.statusCode).toBe(403);
      expect(reply.json().error.code).toBe("forbidden");
      expect(reply.json().error.message).toContain("--metrics-token");
    }
    expect((await scrape(loopbackOnly, "::ffff:10.0.0.1")).statusCode).toBe(403);
  });

  it("with a token: lets its bearer in from anywhere, and nobody else (loopback included)", async () => {
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await scrape(withToken, ELSEWHERE, bearer)).statusCode).toBe(200);
    expect((await scrape(withToken, "127.0.0.1", bearer)).statusCode).toBe(200);
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, admin]) {
      for (const address of [ELSEWHERE, "127.0.0.1"]) {
        const reply = await scrape(withToken, address, headers);
        expect(reply.statusCode, `${JSON.stringify(headers)} from ${address}`).toBe(401);
        expect(reply.json().error.code).toBe("unauthorized");
        expect(reply.body).not.toContain(TOKEN);
      }
    }
  });

  it("has no /metrics route when the server was given no registry", async () => {
    expect((await scrape(withoutMetrics, "127.0.0.1", admin)).statusCode).toBe(404);
  });

  it("refuses an empty token in the server's options", async () => {
    await expect(
      createServer({
        runtime: t.runtime,
        store: t.store,
        workspace: "DEMO",
        dataDir: "",
        metrics: { registry: createPrometheusMetrics({ defaultMetrics: false }), token: "" },
      }),
    ).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("metrics.token") });
  });
});

describe("metric labels and registries", () => {
  it("caps distinct hosts and counts the rest as other", () => {
    const hosts = new HostLabels(2);
    expect([
      hosts.of("A.example"),
      hosts.of("b.example"),
      hosts.of("c.example"),
      hosts.of("a.example"),
    ]).toEqual(["a.example", "b.example", OTHER_HOST, "a.example"]);
  });

  it("keeps one registry per instance: two in one process count apart", async () => {
    const one = createPrometheusMetrics({ defaultMetrics: false });
    const two = createPrometheusMetrics({ defaultMetrics: false });
    one.action("APP", "go", "ok", 0.01);
    one.httpCall("api.example:443", 200);
    const first = readScrape((await one.scrape()).body);
    const second = readScrape((await two.scrape()).body);
    expect(first.value("comind_actions_total", { app: "APP", action: "go", outcome: "ok" })).toBe(1);
    expect(first.count("comind_action_duration_seconds", { app: "APP", action: "go" })).toBe(1);
    expect(first.value("comind_http_requests_total", { host: "api.example:443", status: "200" })).toBe(1);
    expect(second.value("comind_actions_total")).toBe(0);
  });

  it("writes histograms as Prometheus reads them: `le` inclusive, cumulative, +Inf, sum and count", async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    for (const seconds of [0.001, 0.0025, 0.003, 7]) metrics.commit(seconds);
    const text = (await metrics.scrape()).body;
    const bucket = (le: string) =>
      Number(
        new RegExp(
          `^comind_commit_duration_seconds_bucket\\{le="${le.replace("+", "\\+")}"\\} (\\S+)$`,
          "m",
        ).exec(text)?.[1],
      );
    expect([bucket("0.001"), bucket("0.0025"), bucket("0.005"), bucket("5"), bucket("+Inf")]).toEqual([
      1, 2, 3, 3, 4,
    ]);
    const scrape = readScrape(text);
    expect(scrape.count("comind_commit_duration_seconds")).toBe(4);
    expect(scrape.value("comind_commit_duration_seconds_sum")).toBeCloseTo(7.0065, 6);
  });

  it("folds hosts past the cap into other, whatever logic calls", async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false, maxHosts: 3 });
    for (let i = 0; i < 10; i++) metrics.httpCall(`tenant-${i}.example.com`, 200);
    metrics.httpCall("tenant-0.example.com", null, "timeout");
    const scrape = readScrape((await metrics.scrape()).body);
    const hosts = new Set(scrape.series("comind_http_requests_total").map((labels) => labels.host));
    expect([...hosts].sort()).toEqual([
      OTHER_HOST,
      "tenant-0.example.com",
      "tenant-1.example.com",
      "tenant-2.example.com",
    ]);
    expect(scrape.value("comind_http_requests_total", { host: OTHER_HOST })).toBe(7);
    expect(
      scrape.value("comind_http_requests_total", { host: "tenant-0.example.com", status: "timeout" }),
    ).toBe(1);
  });
});

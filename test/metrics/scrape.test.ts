/**
 * /metrics of a real server, scraped over HTTP and read with a real Prometheus text parser, on
 * both engines (the queue's gauges come from SQLite's in-process queue or graphile-worker's
 * Postgres): actions by outcome with their latency, commit time, outbound HTTP by host and
 * status, an admission refusal, a queued job from queued to done, e-mail sent, the pools.
 */
import type { AddressInfo } from "node:net";
import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobNode } from "../../runtime/jobs/index.ts";
import { createPrometheusMetrics } from "../../runtime/metrics/index.ts";
import { openQueue, type Queue } from "../../runtime/queue/index.ts";
import { type ActionRuntime, createActionRuntime } from "../../runtime/runs/index.ts";
import { createServer } from "../../runtime/server/index.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { eventually } from "../helpers/eventually.ts";
import { type LoopbackServer, startLoopbackServer } from "../helpers/http-test-servers.ts";
import { type Scrape, scrape } from "../helpers/prometheus.ts";
import { authAs } from "../helpers/server.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { dropSchema, graphileSchemaOf } from "../queue/harness.ts";

/** ok, a logic error, an outbound call to the URL in c_text, and an e-mail. */
const METER_APP = {
  "fields/index.ts": `export default [{ name: "c_text", caption: "Text", type: "text" }] as const;\n`,
  "actions/index.ts": `export default [{ uid: "ok" }, { uid: "boom" }, { uid: "call" }, { uid: "mail" }] as const;\n`,
  "actions/logic/index.ts": `
import { entity } from "#typings";
import { RestApi } from "@comind/api/server";
import type { NotifyContext } from "@comind/api/server";
export default {
  ok() { entity.c_text = "done"; },
  boom() { throw "boom"; },
  call() {
    RestApi.createClient(entity.c_text);
    RestApi.createRequest("/", "GET");
    entity.c_text = String(RestApi.executeRequest().statusCode);
  },
  mail() { entity.c_text = "mailed"; },
  __sendNotifications(): NotifyContext | null {
    return entity.c_text === "mailed" ? { to: "ada@example.com", subject: "hello", email_body: "<p>hi</p>" } : null;
  },
};`,
};

describe.each(ENGINES)("/metrics ($name)", (engine) => {
  let store: Store;
  let runtime: ActionRuntime;
  let queue: Queue;
  let server: FastifyInstance;
  let upstream: LoopbackServer;
  let smtp: TestSmtp;
  let cleanup: () => Promise<void>;
  let base: string;
  let auth: { authorization: string };
  /** Requests to upstream's /hold wait here until released. */
  const held: ServerResponse[] = [];

  const metricsUrl = () => `${base}/metrics`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    const created = await engine.create();
    smtp = await startSmtp();
    upstream = await startLoopbackServer((request, response) => {
      if (request.path.startsWith("/hold")) held.push(response);
      else response.writeHead(request.path.startsWith("/missing") ? 404 : 200).end("{}");
    });
    store = await openStore(created.options);
    const metrics = createPrometheusMetrics();
    runtime = await createActionRuntime({
      store,
      metrics,
      secrets: {},
      allowHosts: ["127.0.0.1"],
      // One action at a time and no waiting: a second one while /hold holds the first is refused.
      admission: { maxRunning: 1, maxWaiting: 0 },
      notifications: { smtpUrl: smtp.url, from: "runtime@example.com" },
    });
    await runtime.loadApp(writeTempApp(METER_APP, { alias: "METER" }));
    queue = await openQueue(store, {
      concurrency: 1,
      pollMs: 50,
      lockTimeoutMs: 10_000,
      graphileSchema: graphileSchemaOf(created.options),
    });
    server = await createServer({
      runtime,
      store,
      queue,
      workspace: "DEMO",
      dataDir: "",
      metrics: { registry: metrics },
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    auth = await authAs(store, { id: "ada", isAdmin: true });
    let node: { stop(): Promise<void> } | undefined;
    cleanup = async () => {
      for (const response of held.splice(0)) response.end();
      await server.close();
      await (node ? node.stop() : queue.close());
      await runtime.close();
      await store.close();
      if (created.options.schema)
        await dropSchema(created.options.databaseUrl!, graphileSchemaOf(created.options)!);
      await created.cleanup();
      await upstream.close();
      await smtp.close();
    };
    startNode = async () => {
      node = await startJobNode(runtime, queue, { warn: () => undefined, error: () => undefined } as never);
    };
  });
  let startNode: () => Promise<void>;
  afterAll(async () => {
    await cleanup?.();
    removeTempApps();
  });

  it("counts actions by outcome, their latency, commits and outbound calls by host and status", async () => {
    const before = await scrape(metricsUrl());
    const host = new URL(upstream.url).host;
    expect((await post("/api/apps/DEMO/METER/actions/ok", {})).status).toBe(200);
    expect((await post("/api/apps/DEMO/METER/actions/boom", {})).status).toBe(422);
    expect(
      (await post("/api/apps/DEMO/METER/actions/call", { values: { c_text: upstream.url } })).status,
    ).toBe(200);
    const missing = `${upstream.url}/missing`;
    // a 404 is an answer the logic reads, not a failed action
    expect((await post("/api/apps/DEMO/METER/actions/call", { values: { c_text: missing } })).status).toBe(
      200,
    );
    const after = await scrape(metricsUrl());
    const delta = (read: (s: Scrape) => number) => read(after) - read(before);

    const actions = "comind_actions_total";
    expect(delta((s) => s.value(actions, { app: "METER", action: "ok", outcome: "ok" }))).toBe(1);
    expect(delta((s) => s.value(actions, { app: "METER", action: "boom", outcome: "logic_error" }))).toBe(1);
    expect(delta((s) => s.value(actions, { app: "METER", action: "call", outcome: "ok" }))).toBe(2);
    expect(delta((s) => s.count("comind_action_duration_seconds", { app: "METER", action: "boom" }))).toBe(1);
    expect(delta((s) => s.count("comind_action_duration_seconds", { app: "METER", action: "ok" }))).toBe(1);
    // every action that got as far as its commit: ok and both calls (boom never commits)
    expect(delta((s) => s.count("comind_commit_duration_seconds"))).toBe(3);
    expect(delta((s) => s.value("comind_http_requests_total", { host, status: "200" }))).toBe(1);
    expect(delta((s) => s.value("comind_http_requests_total", { host, status: "404" }))).toBe(1);
    // never a path or a record id in a label
    expect(JSON.stringify(after.series("comind_http_requests_total"))).not.toContain("missing");
  });

  it("counts an admission refusal while the one place is taken", async () => {
    const before = await scrape(metricsUrl());
    const holding = post("/api/apps/DEMO/METER/actions/call", { values: { c_text: `${upstream.url}/hold` } });
    await eventually(async () => held.length === 1, 30_000);
    const mid = await scrape(metricsUrl());
    expect(mid.value("comind_admission_actions", { state: "running" })).toBe(1);
    const refused = await post("/api/apps/DEMO/METER/actions/ok", {});
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    held.shift()!.writeHead(200).end("{}");
    expect((await holding).status).toBe(200);
    const after = await scrape(metricsUrl());
    expect(
      after.value("comind_admission_refused_total", { reason: "busy" }) -
        before.value("comind_admission_refused_total", { reason: "busy" }),
    ).toBe(1);
    expect(after.value("comind_admission_actions", { state: "running" })).toBe(0);
  });

  it("shows a queued job in the queue gauges, then its attempt and its e-mail once a node runs it", async () => {
    const queued = await post("/api/apps/DEMO/METER/actions/mail?async=true", {});
    expect(queued.status).toBe(202);
    const { runId } = (await queued.json()) as { runId: string };
    const waiting = await scrape(metricsUrl());
    expect(waiting.value("comind_queue_runs", { state: "queued" })).toBe(1);
    expect(waiting.value("comind_queue_oldest_age_seconds", { state: "queued" })).toBeGreaterThanOrEqual(0);
    expect(waiting.series("comind_queue_oldest_age_seconds")).toContainEqual({ state: "queued" });
    expect(waiting.value("comind_queue_runs", { state: "running" })).toBe(0);

    await startNode();
    await eventually(async () => (await queue.getRun(runId))?.status === "succeeded", 30_000);
    await eventually(async () => smtp.messages.length === 1, 30_000);
    await eventually(async () => {
      const done = await scrape(metricsUrl());
      return (
        done.value("comind_queue_runs", { state: "queued" }) === 0 &&
        done.value("comind_job_attempts_total", { kind: "mail", outcome: "succeeded" }) === 1
      );
    }, 30_000);
    const done = await scrape(metricsUrl());
    expect(done.value("comind_job_attempts_total", { kind: "action", outcome: "succeeded" })).toBe(1);
    expect(done.value("comind_emails_total", { outcome: "sent" })).toBe(1);
    expect(done.series("comind_queue_oldest_age_seconds")).not.toContainEqual({ state: "queued" });
  });

  it("reports the sandbox, the store's pools and the process", async () => {
    const now = await scrape(metricsUrl());
    expect(now.value("comind_sandbox_isolates", { app: "METER" })).toBeGreaterThanOrEqual(1);
    expect(now.value("comind_sandbox_isolate_heap_bytes", { app: "METER" })).toBeGreaterThan(0);
    expect(now.value("comind_sandbox_workers")).toBe(0);
    expect(now.value("process_resident_memory_bytes")).toBeGreaterThan(0);
    if (engine.name === "postgres") {
      expect(now.value("comind_db_pool_connections", { pool: "queries", state: "total" })).toBeGreaterThan(0);
      expect(now.value("comind_db_pool_connections", { pool: "transactions", state: "max" })).toBe(10);
    } else {
      expect(now.series("comind_db_pool_connections")).toEqual([]);
    }
  });
});

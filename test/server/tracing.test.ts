/**
 * OpenTelemetry traces, end to end: a `serve` child process exports over OTLP/HTTP to a real
 * receiver on 127.0.0.1; an action that calls a local HTTP server and reads records is one span
 * tree (request → action → HTTP / host call / store load / commit), all with the run id; a client's
 * traceparent continues its trace; a queued run's job span links to the request that queued it;
 * no secret reaches the collector; and with tracing off nothing is exported.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { runCli } from "../helpers/cli.ts";
import { eventually } from "../helpers/eventually.ts";
import { startServeChild, type ServeChild } from "../helpers/serve-child.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const SECRET = "s3cr3t-trace-key-4711";
const dir = mkdtempSync(join(tmpdir(), "comind-tracing-"));

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
}

/** A real OTLP/HTTP receiver: keeps every body POSTed to /v1/traces. */
class Receiver {
  readonly bodies: string[] = [];
  readonly resources: Record<string, unknown>[] = [];
  readonly spans: OtlpSpan[] = [];
  server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.method === "POST" && req.url === "/v1/traces") {
        this.bodies.push(body);
        const parsed = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: Record<string, unknown> }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const resource of parsed.resourceSpans) {
          this.resources.push(attributesOf(resource.resource.attributes));
          for (const scope of resource.scopeSpans) this.spans.push(...scope.spans);
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  url = "";
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function attributesOf(list: OtlpSpan["attributes"] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => {
      const raw = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
      return [key, typeof raw === "string" && value.intValue !== undefined ? Number(raw) : raw];
    }),
  );
}

const attr = (span: OtlpSpan, key: string) => attributesOf(span.attributes)[key];

// An app whose action calls the upstream (the secret in the query and a header) and reads records.
const APP = writeTempApp(
  {
    "fields/index.ts":
      'export default [{ name: "c_url", caption: "URL", type: "text" }, { name: "c_text", caption: "Text", type: "text" }] as const;\n',
    "actions/index.ts": 'export default [{ uid: "probe", caption: "Probe" }] as const;\n',
    "settings/secrets.ts": "export const secrets = { key: process.env.COMIND_SECRET_TRACE_KEY };\n",
    "actions/logic/index.ts": `import { entity } from "#typings";
import { AppSchema, ComindServer, RestApi } from "@comind/api/server";
export default {
  probe() {
    const key = AppSchema.getSecrets().COMIND_SECRET_TRACE_KEY!;
    RestApi.createClient(entity.c_url as string);
    RestApi.createRequest("/echo", "GET" as any);
    RestApi.addQueryParameter("key", key);
    RestApi.addHeader("X-Api-Key", key);
    const answer = RestApi.executeRequest();
    const others = ComindServer.queryAppRecords("TRACED", 'title="other"');
    entity.c_text = answer.statusCode + " " + others.length;
  },
};
`,
  },
  { alias: "TRACED" },
);

let upstream: Server;
let upstreamPort = 0;
const upstreamSeen: string[] = [];
let token = "";

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamSeen.push(`${req.url} ${req.headers["x-api-key"]}`);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  cpSync(APP, join(dir, "apps", "app-traced"), { recursive: true });
  token = JSON.parse(
    (await runCli(["token", "create", "admin", "--admin", "--data", join(dir, "data"), "--json"])).stdout,
  ).token as string;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

async function call(serve: ServeChild, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${serve.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}

async function serveWith(args: string[], env: Record<string, string>): Promise<ServeChild> {
  return startServeChild(
    [
      "--apps",
      join(dir, "apps"),
      "--data",
      join(dir, "data"),
      "--allow-host",
      "127.0.0.1",
      "--log-format",
      "json",
      ...args,
    ],
    { COMIND_SECRET_TRACE_KEY: SECRET, ...env },
  );
}

/** Two records: the one the action runs on, and one it finds by query. */
async function seed(serve: ServeChild): Promise<string> {
  const added = await call(serve, "/api/tickets/multi", [
    { transition: "add", app_alias: "TRACED", title: "target" },
    { transition: "add", app_alias: "TRACED", title: "other" },
  ]);
  expect(added.status).toBe(200);
  return added.body[0].data.id as string;
}

describe("traces (tracing on)", () => {
  const receiver = new Receiver();
  let serve: ServeChild;
  let recordId = "";

  beforeAll(async () => {
    await receiver.start();
    serve = await serveWith(["--workers", "1", "--otel-endpoint", receiver.url], {
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_SERVICE_NAME: "traced-test",
    });
    recordId = await seed(serve);
  }, 120_000);

  afterAll(async () => {
    await serve?.stop();
    await receiver.stop();
  });

  const traceOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);

  it("a client's traceparent continues into request → action → HTTP, host call, store load and commit spans with the run id", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const clientSpan = "b7ad6b7169203331";
    const ran = await call(
      serve,
      "/api/apps/DEMO/TRACED/actions/probe",
      { id: recordId, values: { c_url: `http://127.0.0.1:${upstreamPort}` } },
      { traceparent: `00-${traceId}-${clientSpan}-01` },
    );
    expect(ran.status).toBe(200);
    expect(ran.body.entity.c_text).toBe("200 1");
    expect(upstreamSeen).toContain(`/echo?key=${SECRET} ${SECRET}`);
    const runId = ran.body.runId as string;

    await eventually(async () => traceOf(traceId).some((span) => span.name === "store commit"), 30_000);
    const spans = traceOf(traceId);
    const byName = (name: string) => spans.filter((span) => span.name === name);

    const [requestSpan] = byName("POST /api/apps/:ws/:app/actions/:uid");
    expect(requestSpan, spans.map((span) => span.name).join(", ")).toBeDefined();
    expect(requestSpan.parentSpanId).toBe(clientSpan);
    expect(requestSpan.kind).toBe(2); // SERVER
    expect(attr(requestSpan, "http.request.method")).toBe("POST");
    expect(attr(requestSpan, "http.response.status_code")).toBe(200);

    const [action] = byName("action TRACED.probe");
    expect(action.parentSpanId).toBe(requestSpan.spanId);
    expect(attributesOf(action.attributes)).toMatchObject({
      "comind.run.id": runId,
      "comind.app": "TRACED",
      "comind.action": "probe",
      "comind.record.id": recordId,
      "comind.outcome": "ok",
    });

    const [http] = byName("GET");
    expect(http.parentSpanId).toBe(action.spanId);
    expect(http.kind).toBe(3); // CLIENT
    expect(attributesOf(http.attributes)).toMatchObject({
      "server.address": "127.0.0.1",
      "server.port": upstreamPort,
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "comind.run.id": runId,
    });

    const [find] = byName("host records.find");
    expect(find.parentSpanId).toBe(action.spanId);
    expect(attr(find, "comind.run.id")).toBe(runId);
    for (const name of ["store load record", "store commit"]) {
      const [store] = byName(name);
      expect(store.parentSpanId, name).toBe(action.spanId);
      expect(attr(store, "db.system.name")).toBe("sqlite");
    }
    // Every span of the run says which run it belongs to.
    for (const span of spans.filter((each) => each !== requestSpan))
      expect(attr(span, "comind.run.id"), span.name).toBe(runId);

    expect(receiver.resources[0]).toMatchObject({ "service.name": "traced-test" });
    // The request's log line names its trace.
    const line = serve
      .output()
      .split("\n")
      .find((each) => each.includes('"msg":"request"') && each.includes("/actions/probe"));
    expect(JSON.parse(line!)).toMatchObject({ traceId, spanId: requestSpan.spanId });
  }, 60_000);

  it("sends no secret to the collector: not the query string, not a header value", () => {
    expect(receiver.bodies.length).toBeGreaterThan(0);
    const everything = receiver.bodies.join("\n");
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain("key=");
    expect(everything).not.toContain("/echo");
  });

  it("a queued run's job span links to the request that queued it; its action span is the job's child", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const queued = await call(
      serve,
      "/api/apps/DEMO/TRACED/actions/probe?async=true",
      { id: recordId, values: { c_url: `http://127.0.0.1:${upstreamPort}` } },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(queued.status).toBe(202);
    const runId = queued.body.runId as string;
    await eventually(
      async () => (await call(serve, `/api/runs/${runId}`)).body.status === "succeeded",
      60_000,
    );
    await eventually(async () => receiver.spans.some((span) => span.name === "job TRACED.probe"), 30_000);

    const [enqueue] = traceOf(traceId).filter((span) => span.name === "enqueue TRACED.probe");
    expect(enqueue.kind).toBe(4); // PRODUCER
    expect(attr(enqueue, "comind.run.id")).toBe(runId);
    const job = receiver.spans.find(
      (span) => span.name === "job TRACED.probe" && attr(span, "comind.run.id") === runId,
    )!;
    expect(job.kind).toBe(5); // CONSUMER
    expect(job.links).toEqual([expect.objectContaining({ traceId, spanId: enqueue.spanId })]);
    await eventually(
      async () =>
        receiver.spans.some((span) => span.traceId === job.traceId && span.name === "action TRACED.probe"),
      30_000,
    );
    const action = receiver.spans.find(
      (span) => span.traceId === job.traceId && span.name === "action TRACED.probe",
    )!;
    expect(action.parentSpanId).toBe(job.spanId);
    expect(attr(action, "comind.run.id")).toBe(runId);
    expect(attr(action, "comind.run.source")).toBe("async");
  }, 90_000);
});

describe("traces (tracing off)", () => {
  it("exports nothing: OTEL_SDK_DISABLED wins over a configured endpoint", async () => {
    const receiver = new Receiver();
    await receiver.start();
    const serve = await serveWith(["--workers", "0"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SDK_DISABLED: "true",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    try {
      const id = await seed(serve);
      const ran = await call(serve, "/api/apps/DEMO/TRACED/actions/probe", {
        id,
        values: { c_url: `http://127.0.0.1:${upstreamPort}` },
      });
      expect(ran.status).toBe(200);
    } finally {
      await serve.stop(); // a running exporter would flush its batch at the stop
      await receiver.stop();
    }
    expect(receiver.bodies).toEqual([]);
    expect(serve.output()).not.toContain("tracing: spans are exported");
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import {
  echo,
  formOf,
  startForbiddenServer,
  startLoopbackServer as startServer,
  type LoopbackServer as TestServer,
} from "../helpers/http-test-servers.ts";

// RestApi end to end: logic in the isolate -> host undici -> real servers on 127.0.0.x.
let t: TestRuntime;
let api: TestServer;
let other: TestServer;
let forbidden: TestServer;
const BOMB = gzipSync(Buffer.alloc(50 * 1024 * 1024));
const PDF = Buffer.from(`%PDF-1.7\n${"binary \u0000\u0001\u0002 ".repeat(2000)}`, "latin1");

beforeAll(async () => {
  forbidden = await startForbiddenServer();
  other = await startServer((req, res) => res.end(JSON.stringify({ headers: req.headers })));
  api = await startServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/redirect/other") return res.writeHead(302, { location: `${other.url}/landed` }).end();
    if (path === "/redirect/same") return res.writeHead(307, { location: "/echo" }).end();
    if (path === "/redirect/forbidden") return res.writeHead(302, { location: `${forbidden.url}/x` }).end();
    if (path === "/redirect/file") return res.writeHead(302, { location: "file:///etc/passwd" }).end();
    if (path === "/redirect/loop") return res.writeHead(302, { location: "/redirect/loop" }).end();
    if (path === "/see-other") return res.writeHead(303, { location: "/echo" }).end();
    if (path === "/missing")
      return res.writeHead(404, { "content-type": "application/json" }).end('{"error":"nope"}');
    if (path === "/bomb") return res.writeHead(200, { "content-encoding": "gzip" }).end(BOMB);
    if (path === "/big") return res.end(Buffer.alloc(2 * 1024 * 1024, 97));
    if (path === "/trickle") {
      res.writeHead(200);
      const timer = setInterval(() => res.write("."), 100);
      res.on("close", () => clearInterval(timer));
      return;
    }
    if (path === "/report.pdf")
      return res
        .writeHead(200, {
          "content-type": "application/pdf",
          "content-disposition": 'attachment; filename="monthly report.pdf"',
        })
        .end(PDF);
    if (path === "/upload") {
      formOf(req).then(async (form) => {
        const file = form.get("file") as File;
        const bytes = Buffer.from(await file.arrayBuffer());
        res.end(
          JSON.stringify({
            name: file.name,
            size: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            extra: form.get("extra"),
          }),
        );
      });
      return;
    }
    res.setHeader("x-rate-limit", "99");
    echo(req, res);
  });
});
afterAll(async () => {
  await Promise.all([api.close(), other.close(), forbidden.close()]);
});

async function send(request: Record<string, unknown>, action = "send") {
  const result = await t.runtime.run({
    caller: asDeveloper(),
    app: "HTTPPROBE",
    action,
    values: { c_request: { base: api.url, ...request } },
  });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return { response: result.entity.c_response as any, entity: result.entity, result };
}

const echoed = (response: any) => JSON.parse(response.value.content);

// Both places an action's requests are sent from: the server's own process (`--workers 0`) and a
// sandbox worker process (`serve`'s default), which sends them itself (runtime/sandbox/worker/worker-http.ts).
describe.each([
  { mode: "in process", workers: 0 },
  { mode: "from a worker process", workers: 1 },
])("RestApi builder against real servers, $mode", ({ workers }) => {
  beforeAll(async () => {
    t = await startRuntime({
      workers,
      spareWorkers: 0,
      allowHosts: ["127.0.0.1"],
      limits: { maxResponseBytes: 1024 * 1024, maxDownloadBytes: 64 * 1024, maxRequests: 5 },
    });
    await t.runtime.loadApp(join(FIXTURE_APPS, "app-http"));
  });
  afterAll(async () => {
    await t.close();
  });

  it("sends query parameters, url segments, headers and basic auth", async () => {
    const { response } = await send({
      path: "/echo/{id}/items",
      segments: [["id", "a b/c"]],
      query: [
        ["q", "x&y"],
        ["n", "1"],
      ],
      headers: [["X-Custom", "yes"]],
      basic: ["ann", "s3cret"],
    });
    expect(response.ok).toBe(true);
    expect(response.value).toMatchObject({
      statusCode: 200,
      isSuccessful: true,
      contentType: "application/json",
    });
    expect(response.value.headers["x-rate-limit"]).toBe("99");
    const seen = echoed(response);
    expect(seen.url).toBe("/echo/a%20b%2Fc/items?q=x%26y&n=1");
    expect(seen.headers["x-custom"]).toBe("yes");
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from("ann:s3cret").toString("base64")}`);
  });

  it("sends JSON bodies, form parameters and bearer tokens", async () => {
    const json = echoed(
      (await send({ path: "/echo", method: "POST", json: { a: [1, 2] }, bearer: "tok" })).response,
    );
    expect(json).toMatchObject({ method: "POST", body: '{"a":[1,2]}' });
    expect(json.headers["content-type"]).toBe("application/json");
    expect(json.headers.authorization).toBe("Bearer tok");
    const form = echoed(
      (
        await send({
          path: "/echo",
          method: "POST",
          params: [
            ["grant_type", "client_credentials"],
            ["scope", "a b"],
          ],
        })
      ).response,
    );
    expect(form.body).toBe("grant_type=client_credentials&scope=a+b");
    expect(form.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const get = echoed((await send({ path: "/echo", params: [["page", "2"]] })).response);
    expect(get.url).toBe("/echo?page=2");
  });

  it("returns non-2xx statuses instead of throwing", async () => {
    const { response } = await send({ path: "/missing" });
    expect(response.value).toMatchObject({
      statusCode: 404,
      isSuccessful: false,
      content: '{"error":"nope"}',
    });
  });

  it("keeps a path like //127.0.0.2:port/x on the client's host", async () => {
    for (const path of [`//127.0.0.2:${forbidden.port}/x`, `http://127.0.0.2:${forbidden.port}/x`]) {
      const seen = echoed((await send({ path })).response);
      expect(seen.url).toMatch(/^\/(http:\/)?127\.0\.0\.2:\d+\/x$/);
    }
    expect(forbidden.received).toHaveLength(0);
  });

  it("follows redirects; 303 turns a POST into a GET", async () => {
    const same = echoed((await send({ path: "/redirect/same", headers: [["X-API-Key", "k1"]] })).response);
    expect(same.headers["x-api-key"]).toBe("k1");
    const seeOther = echoed((await send({ path: "/see-other", method: "POST", json: { x: 1 } })).response);
    expect(seeOther).toMatchObject({ method: "GET", body: "" });
  });

  it("drops every credential and custom header on a cross-origin redirect", async () => {
    const { response } = await send({
      path: "/redirect/other",
      headers: [
        ["X-API-Key", "secret-key"],
        ["Cookie", "sid=1"],
        ["Accept", "application/json"],
      ],
      bearer: "tok",
    });
    const headers = JSON.parse(response.value.content).headers;
    expect(headers.authorization).toBeUndefined();
    expect(headers["x-api-key"]).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers.accept).toBe("application/json");
  });

  it("refuses redirects to forbidden hosts and non-http schemes, and redirect loops", async () => {
    expect((await send({ path: "/redirect/forbidden" })).response).toMatchObject({
      ok: false,
      code: "egress_denied",
    });
    expect((await send({ path: "/redirect/file" })).response).toMatchObject({
      ok: false,
      code: "egress_denied",
    });
    expect((await send({ path: "/redirect/loop" })).response).toMatchObject({
      ok: false,
      code: "too_many_redirects",
    });
    expect(forbidden.received).toHaveLength(0);
  });

  it("refuses loopback and private targets not on the allow-list, by address or by name", async () => {
    const direct = await send({ base: forbidden.url, path: "/x" });
    expect(direct.response).toMatchObject({ ok: false, code: "egress_denied" });
    expect(direct.response.message).toMatch(/--allow-host/);
    for (const base of [
      "http://10.0.0.1/",
      "http://169.254.169.254/latest",
      "http://[::1]:1/",
      "http://0.0.0.0:1/",
    ]) {
      expect((await send({ base, path: "/x" })).response, base).toMatchObject({
        ok: false,
        code: "egress_denied",
      });
    }
    for (const base of ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,hi"]) {
      expect((await send({ base, path: "/x" })).response, base).toMatchObject({
        ok: false,
        code: "egress_denied",
      });
    }
    expect(forbidden.received).toHaveLength(0);
  });

  it("refuses a DNS name that resolves to an allowed loopback address unless the name itself is listed", async () => {
    expect((await send({ base: `http://localhost:${api.port}`, path: "/echo" })).response).toMatchObject({
      ok: false,
      code: "egress_denied",
    });
    const strict = await startRuntime({ workers, spareWorkers: 0, allowHosts: ["example.test"] });
    try {
      await strict.runtime.loadApp(join(FIXTURE_APPS, "app-http"));
      const result = await strict.runtime.run({
        caller: asDeveloper(),
        app: "HTTPPROBE",
        action: "send",
        values: { c_request: { base: `http://localhost:${api.port}`, path: "/echo" } },
      });
      expect(result.ok && result.entity.c_response).toMatchObject({ ok: false, code: "egress_denied" });
    } finally {
      await strict.close();
    }
  });

  it("throws a catchable network_error for a closed port", async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    expect((await send({ base: closed.url, path: "/" })).response).toMatchObject({
      ok: false,
      code: "network_error",
    });
  });

  it("times out a trickled body with setRequestTimeout", async () => {
    const { response } = await send({ path: "/trickle", timeout: 0.5 });
    expect(response).toMatchObject({ ok: false, code: "timeout" });
    expect(response.message).toMatch(/0\.5 s/);
  });

  it("caps the response size, also after decompression", async () => {
    expect((await send({ path: "/big" })).response).toMatchObject({ ok: false, code: "limit_exceeded" });
    expect((await send({ path: "/bomb" })).response).toMatchObject({ ok: false, code: "limit_exceeded" });
  });

  it("limits the number of requests per action", async () => {
    const { response } = await send({ path: "/echo", count: 7 }, "many");
    expect(response).toMatchObject({ ok: false, code: "limit_exceeded", sent: 5 });
  });

  it("downloads a file, persists it and attaches it", async () => {
    const { response, entity } = await send({ path: "/report.pdf" }, "download");
    expect(response.value).toMatchObject({
      statusCode: 200,
      contentLength: PDF.length,
      fileName: "monthly report.pdf",
    });
    const file = await t.store.getFile(response.value.stored);
    expect(file).toMatchObject({
      fileName: "monthly report.pdf",
      contentType: "application/pdf",
      size: PDF.length,
      sha256: createHash("sha256").update(PDF).digest("hex"),
    });
    expect(readFileSync(await t.store.filePath(response.value.stored))).toEqual(PDF);
    expect(entity.attachments).toEqual([{ file_uid: response.value.stored, title: "monthly report.pdf" }]);
    const missing = await send({ path: "/missing" }, "download");
    expect(missing.response.value).toEqual({ statusCode: 404, stored: null });
    expect((await send({ path: "/big" }, "download")).response).toMatchObject({
      ok: false,
      code: "limit_exceeded",
    });
  });

  it("uploads a file as multipart/form-data", async () => {
    const bytes = Buffer.from("hello multipart \u0000 world");
    const { response } = await send(
      { path: "/upload", method: "POST", params: [["extra", "field"]], fileBase64: bytes.toString("base64") },
      "upload",
    );
    expect(JSON.parse(response.value.content)).toEqual({
      name: "report.bin",
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      extra: "field",
    });
  });

  it("logs every call in the run log without query strings", async () => {
    const { result } = await send({ path: "/echo", query: [["token", "secret-in-query"]] });
    expect(result.httpCalls).toEqual([
      {
        method: "GET",
        host: api.url.replace("http://", ""),
        path: "/echo",
        status: 200,
        ms: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(await t.store.listRuns({ app: "HTTPPROBE" }))).not.toContain("secret-in-query");
  });
});

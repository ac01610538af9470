import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { closeAgents, HttpError, type HttpCallLog, type HttpPolicy } from "../../runtime/host/http/index.ts";
import {
  echo,
  type Echo,
  formOf,
  loopbackClient,
  type LoopbackServer,
  spec,
  startForbiddenServer,
  startLoopbackServer,
  testFiles,
  type TestFiles,
} from "../helpers/http-test-servers.ts";

// RestApi's host side against real servers on 127.0.0.1; 127.0.0.2 must never be reached.
let api: LoopbackServer;
let forbidden: LoopbackServer;
let files: TestFiles;

beforeAll(async () => {
  forbidden = await startForbiddenServer();
  api = await startLoopbackServer((req, res) => {
    if (req.path === "/missing")
      return res.writeHead(404, { "content-type": "application/json" }).end('{"error":"nope"}');
    if (req.path === "/boom") return res.writeHead(500).end("server error");
    if (req.path === "/text") {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      return res
        .writeHead(201, { "content-type": "text/plain; charset=utf-8", "X-Mixed-Case": "yes" })
        .end("héllo wörld ✓");
    }
    if (req.path === "/redirect") return res.writeHead(302, { location: "/redirect2" }).end();
    if (req.path === "/redirect2") return res.writeHead(307, { location: "/echo" }).end();
    if (req.path === "/upload") {
      formOf(req).then(async (form) => {
        const parts = [];
        for (const [name, value] of form) {
          if (typeof value === "string") parts.push({ name, value });
          else {
            const bytes = Buffer.from(await value.arrayBuffer());
            parts.push({
              name,
              fileName: value.name,
              type: value.type,
              size: bytes.length,
              sha256: createHash("sha256").update(bytes).digest("hex"),
            });
          }
        }
        res.end(JSON.stringify({ contentType: req.headers["content-type"], parts }));
      });
      return;
    }
    echo(req, res);
  });
  files = testFiles();
});

afterAll(async () => {
  expect(forbidden.connections).toBe(0);
  await closeAgents();
  await Promise.all([api.close(), forbidden.close()]);
  files.cleanup();
});

const client = (policy: Partial<HttpPolicy> = {}, onCall?: (log: HttpCallLog) => void) =>
  loopbackClient(files, policy, { onCall });

async function echoed(...args: Parameters<typeof spec>): Promise<Echo> {
  const response = await client().execute(spec(...args));
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.content) as Echo;
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

/** Messages name "METHOD host/path" and nothing from the host: no stack, no file paths, no query string. */
function expectSafeMessage(error: HttpError, target: string, secret?: string) {
  expect(error.message).toContain(target);
  expect(error.message).not.toMatch(/\n\s+at |\/work\/|node_modules|file:\/\//);
  if (secret) expect(error.message).not.toContain(secret);
}

describe("URL building", () => {
  it("joins the base path and the path with exactly one slash", async () => {
    for (const base of [`${api.url}/api/v1/`, `${api.url}/api/v1`, `${api.url}/api/v1//`]) {
      for (const path of ["/users", "users", "//users"]) {
        expect((await echoed(base, path)).url, `${base} + ${path}`).toBe("/api/v1/users");
      }
    }
    expect((await echoed(api.url, "")).url).toBe("/");
    expect((await echoed(`${api.url}/root`, "")).url).toBe("/root/");
  });

  it("replaces {name} segments with the URL-encoded value", async () => {
    const seen = await echoed(api.url, "/items/{id}/{name}/{id}", {
      segments: [
        ["id", "a b/c"],
        ["name", "ü?&#"],
      ],
    });
    expect(seen.url).toBe("/items/a%20b%2Fc/%C3%BC%3F%26%23/a%20b%2Fc");
  });

  it("appends URL-encoded query parameters and keeps the base URL's and the path's query", async () => {
    const seen = await echoed(`${api.url}/v1?key=base%20value`, "/x?inline=1", {
      query: [
        ["q", "x&y z"],
        ["ü", "=/"],
      ],
    });
    expect(seen.url).toBe("/v1/x?key=base%20value&inline=1&q=x%26y%20z&%C3%BC=%3D%2F");
  });

  it("keeps a path that looks like another host on the client's host", async () => {
    const other = `127.0.0.2:${forbidden.port}`;
    expect((await echoed(api.url, `//${other}/x`)).url).toBe(`/${other}/x`);
    expect((await echoed(api.url, `http://${other}/x`)).url).toBe(`/http:/${other}/x`);
    expect((await echoed(`${api.url}/base`, `https://${other}/x?y=1`)).url).toBe(
      `/base/https:/${other}/x?y=1`,
    );
    expect((await echoed(api.url, `\\\\${other}/x`)).headers.host).toBe(`127.0.0.1:${api.port}`);
    expect((await echoed(api.url, `@${other}/x`)).headers.host).toBe(`127.0.0.1:${api.port}`);
    expect(forbidden.connections).toBe(0);
  });

  it("percent-encodes trailing spaces and control characters instead of trimming them", async () => {
    expect((await echoed(api.url, "/x y ")).url).toBe("/x%20y%20");
    expect((await echoed(api.url, "/a \t\u0001")).url).toBe("/a%20%01");
    expect((await echoed(api.url, "/p?q=a  ")).url).toBe("/p?q=a%20%20");
    expect((await echoed(api.url, "/p?#frag")).url).toBe("/p");
  });

  it("builds a URL it built before the same way, and a different one anew (one client)", async () => {
    const http = client();
    const url = async (...args: Parameters<typeof spec>) =>
      (JSON.parse((await http.execute(spec(...args))).content) as Echo).url;
    for (let i = 0; i < 2; i++) {
      expect(await url(`${api.url}/v1`, "/x", { query: [["page", "1"]] })).toBe("/v1/x?page=1");
      expect(await url(`${api.url}/v1`, "/x", { query: [["page", "2"]] })).toBe("/v1/x?page=2");
      expect(await url(`${api.url}/v1`, "/{id}", { segments: [["id", `a ${i}`]] })).toBe(`/v1/a%20${i}`);
    }
  });

  it("refuses a bad base URL every time, also after a good one was used", async () => {
    for (let i = 0; i < 2; i++) {
      expect((await echoed(`${api.url}/v2/`, "x")).url).toBe("/v2/x");
      expect((await failure(client().execute(spec("http://[::1", "/x")))).code).toBe("invalid_url");
      expect((await failure(client().execute(spec("ftp://127.0.0.1/", "/x")))).code).toBe("egress_denied");
    }
  });

  it("refuses a base URL that is not an absolute http(s) URL or that carries credentials", async () => {
    const before = api.received.length;
    expect((await failure(client().execute(spec("not a url", "/x")))).code).toBe("invalid_url");
    expect((await failure(client().execute(spec("/relative", "/x")))).code).toBe("invalid_url");
    expect((await failure(client().execute(spec(`http://user:pw@127.0.0.1:${api.port}`, "/x")))).code).toBe(
      "invalid_url",
    );
    expect(api.received.length).toBe(before);
  });
});

describe("parameters and bodies", () => {
  it("sends params as query parameters on GET, HEAD, DELETE and OPTIONS", async () => {
    for (const method of ["GET", "DELETE", "OPTIONS"]) {
      const seen = await echoed(api.url, "/p", {
        method,
        params: [
          ["page", "2"],
          ["q", "a b"],
        ],
      });
      expect(seen, method).toMatchObject({ method, url: "/p?page=2&q=a%20b", body: "" });
    }
    const head = await client().execute(spec(api.url, "/p", { method: "HEAD", params: [["page", "3"]] }));
    expect(head).toMatchObject({ statusCode: 200, content: "" });
    expect(api.received.at(-1)).toMatchObject({ method: "HEAD", url: "/p?page=3" });
  });

  it("sends params as a form body on POST, PUT and PATCH", async () => {
    for (const method of ["POST", "PUT", "PATCH"]) {
      const seen = await echoed(api.url, "/form", {
        method,
        params: [
          ["grant_type", "client_credentials"],
          ["scope", "a b&c"],
        ],
      });
      expect(seen, method).toMatchObject({
        method,
        url: "/form",
        body: "grant_type=client_credentials&scope=a+b%26c",
      });
      expect(seen.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
  });

  it("sends a JSON body as application/json and params next to it in the query string", async () => {
    const seen = await echoed(api.url, "/json", {
      method: "POST",
      jsonBody: '{"a":[1,2]}',
      params: [["dry", "1"]],
    });
    expect(seen).toMatchObject({ method: "POST", url: "/json?dry=1", body: '{"a":[1,2]}' });
    expect(seen.headers["content-type"]).toBe("application/json");
  });

  it("accepts a lower-case method", async () => {
    expect(await echoed(api.url, "/lower", { method: "post", params: [["a", "1"]] })).toMatchObject({
      method: "POST",
      url: "/lower",
      body: "a=1",
    });
  });

  it("keeps a Content-Type the user set", async () => {
    const seen = await echoed(api.url, "/json", {
      method: "PUT",
      jsonBody: "{}",
      headers: [["Content-Type", "application/vnd.api+json"]],
    });
    expect(seen.headers["content-type"]).toBe("application/vnd.api+json");
  });

  it("uploads files as multipart/form-data with params as extra fields", async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 13, 10, 45, 45, ...Buffer.from("payload")]);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 120);
    const first = files.add("report.bin", "application/octet-stream", binary);
    const second = files.add("big file.csv", "text/csv", big);
    const response = await client().execute(
      spec(api.url, "/upload", {
        method: "POST",
        params: [
          ["extra", "field"],
          ["note", "ü"],
        ],
        files: [
          { name: "file", ref: first },
          { name: "attachment", ref: second },
        ],
      }),
    );
    const seen = JSON.parse(response.content);
    expect(seen.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
    expect(seen.parts).toEqual([
      { name: "extra", value: "field" },
      { name: "note", value: "ü" },
      {
        name: "file",
        fileName: "report.bin",
        type: "application/octet-stream",
        size: binary.length,
        sha256: sha(binary),
      },
      { name: "attachment", fileName: "big file.csv", type: "text/csv", size: big.length, sha256: sha(big) },
    ]);
  });

  it("refuses a request with both a JSON body and files, before sending it", async () => {
    const before = api.received.length;
    const ref = files.add("a.txt", "text/plain", Buffer.from("a"));
    const error = await failure(
      client().execute(
        spec(api.url, "/upload", { method: "POST", jsonBody: "{}", files: [{ name: "f", ref }] }),
      ),
    );
    expect(error.code).toBe("bad_request");
    expect(api.received.length).toBe(before);
  });
});

describe("headers and auth", () => {
  it("sends basic auth, bearer tokens and the user's headers", async () => {
    const basic = await echoed(api.url, "/a", {
      basicAuth: { user: "ann", password: "s3cr:et" },
      headers: [
        ["X-Custom", "yes"],
        ["Authorization", "ignored"],
      ],
    });
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from("ann:s3cr:et").toString("base64")}`);
    expect(basic.headers["x-custom"]).toBe("yes");
    const bearer = await echoed(api.url, "/a", { bearerToken: "tok-123" });
    expect(bearer.headers.authorization).toBe("Bearer tok-123");
    const own = await echoed(api.url, "/a", { headers: [["Authorization", "Token abc"]] });
    expect(own.headers.authorization).toBe("Token abc");
  });

  it("sends no Accept-Encoding, its own User-Agent unless the user sets one, and no user Host header", async () => {
    const plain = await echoed(api.url, "/a");
    expect(plain.headers["accept-encoding"]).toBeUndefined();
    expect(plain.headers["user-agent"]).toBe("comind-runtime");
    const custom = await echoed(api.url, "/a", {
      headers: [
        ["User-Agent", "my-app/1.0"],
        ["Host", `127.0.0.2:${forbidden.port}`],
        ["Accept-Encoding", "gzip"],
      ],
    });
    expect(custom.headers["user-agent"]).toBe("my-app/1.0");
    expect(custom.headers.host).toBe(`127.0.0.1:${api.port}`);
    expect(custom.headers["accept-encoding"]).toBeUndefined();
  });

  it("refuses header values that would split the request, and unsupported methods", async () => {
    const before = api.received.length;
    expect(
      (await failure(client().execute(spec(api.url, "/a", { headers: [["X-Evil", "a\r\nInjected: 1"]] }))))
        .code,
    ).toBe("bad_request");
    expect((await failure(client().execute(spec(api.url, "/a", { method: "CONNECT" })))).code).toBe(
      "bad_request",
    );
    expect((await failure(client().execute(spec(api.url, "/a", { method: "TRACE" })))).code).toBe(
      "bad_request",
    );
    expect(api.received.length).toBe(before);
  });
});

describe("responses", () => {
  it("returns status, UTF-8 content, lower-case headers with repeated values joined, and the content type", async () => {
    const response = await client().execute(spec(api.url, "/text"));
    expect(response).toMatchObject({
      statusCode: 201,
      isSuccessful: true,
      content: "héllo wörld ✓",
      contentType: "text/plain; charset=utf-8",
    });
    expect(response.headers["x-mixed-case"]).toBe("yes");
    expect(response.headers["set-cookie"]).toBe("a=1, b=2");
    expect(Object.keys(response.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it("returns non-2xx statuses instead of throwing", async () => {
    expect(await client().execute(spec(api.url, "/missing"))).toMatchObject({
      statusCode: 404,
      isSuccessful: false,
      content: '{"error":"nope"}',
      contentType: "application/json",
    });
    expect(await client().execute(spec(api.url, "/boom"))).toMatchObject({
      statusCode: 500,
      isSuccessful: false,
      content: "server error",
      contentType: "",
    });
  });

  it("throws a catchable network_error for a closed port, naming the target but not the query", async () => {
    const closed = await startLoopbackServer(() => undefined);
    await closed.close();
    const error = await failure(
      client().execute(spec(closed.url, "/v1/x", { query: [["token", "secret-in-query"]] })),
    );
    expect(error.code).toBe("network_error");
    expectSafeMessage(error, `GET 127.0.0.1:${closed.port}/v1/x`, "secret-in-query");
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it("throws network_error when the server drops the connection", async () => {
    const rude = await startLoopbackServer((_req, res) => res.socket?.destroy());
    try {
      const error = await failure(client().execute(spec(rude.url, "/drop")));
      expect(error.code).toBe("network_error");
      expectSafeMessage(error, `GET 127.0.0.1:${rude.port}/drop`);
    } finally {
      await rude.close();
    }
  });
});

describe("request budget, connection reuse and the call log", () => {
  it("counts every executeRequest and downloadFile call, but not redirect hops", async () => {
    const http = client({ maxRequests: 3 });
    const before = api.received.length;
    await http.execute(spec(api.url, "/one"));
    await http.download(spec(api.url, "/two"));
    await http.execute(spec(api.url, "/redirect")); // two redirects, one request
    const error = await failure(http.execute(spec(api.url, "/four")));
    expect(error.code).toBe("limit_exceeded");
    expect(error.message).toMatch(/at most 3/);
    expect((await failure(http.download(spec(api.url, "/five")))).code).toBe("limit_exceeded");
    expect(api.received.length - before).toBe(5); // /one, /two, /redirect, /redirect2, /echo
    expect((await client({ maxRequests: 3 }).execute(spec(api.url, "/fresh"))).statusCode).toBe(200); // the budget is per client (action)
  });

  it("reuses pooled connections across requests and clients with the same allow-list", async () => {
    const server = await startLoopbackServer(echo);
    try {
      for (let i = 0; i < 6; i++) await client({ maxRequests: 5 + i }).execute(spec(server.url, `/${i}`));
      expect(server.received).toHaveLength(6);
      // undici may open a second socket while the first is being released; it must not open one per request.
      expect(server.connections).toBeLessThan(6);
    } finally {
      await server.close();
    }
  });

  it("logs each call once with method, host, path (no query), status, time and error code", async () => {
    const logs: HttpCallLog[] = [];
    const http = client({ maxRequests: 4 }, (log) => logs.push(log));
    await http.execute(
      spec(api.url, "/echo/{id}", { segments: [["id", "7"]], query: [["token", "secret-in-query"]] }),
    );
    await http.execute(spec(api.url, "/redirect", { method: "POST", query: [["token", "secret-in-query"]] }));
    await failure(http.execute(spec(`http://127.0.0.2:${forbidden.port}`, "/x")));
    await http.download(spec(api.url, "/missing"));
    await failure(http.execute(spec(api.url, "/over")));
    const host = `127.0.0.1:${api.port}`;
    expect(logs).toEqual([
      { method: "GET", host, path: "/echo/7", status: 200, ms: expect.any(Number) },
      { method: "POST", host, path: "/redirect", status: 200, ms: expect.any(Number) },
      {
        method: "GET",
        host: `127.0.0.2:${forbidden.port}`,
        path: "/x",
        status: null,
        ms: expect.any(Number),
        error: "egress_denied",
      },
      { method: "GET", host, path: "/missing", status: 404, ms: expect.any(Number) },
      { method: "GET", host, path: "/over", status: null, ms: expect.any(Number), error: "limit_exceeded" },
    ]);
    expect(JSON.stringify(logs)).not.toContain("secret-in-query");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAgents, type HttpCallLog, type HttpPolicy } from "../../runtime/host/http/index.ts";
import {
  echo,
  type Echo,
  httpErrorOf,
  loopbackClient,
  type LoopbackServer,
  spec,
  startForbiddenServer,
  startLoopbackServer,
  testFiles,
  type TestFiles,
} from "../helpers/http-test-servers.ts";

// Redirects are followed by hand: every hop is checked and loses credentials when it leaves the origin.
let api: LoopbackServer;
let other: LoopbackServer; // 127.0.0.1 on another port: another origin
let forbidden: LoopbackServer;
let files: TestFiles;

beforeAll(async () => {
  forbidden = await startForbiddenServer();
  other = await startLoopbackServer((req, res) => {
    if (req.path === "/back") return res.writeHead(302, { location: `${api.url}/echo` }).end();
    echo(req, res);
  });
  api = await startLoopbackServer((req, res) => {
    const query = new URLSearchParams(req.url.split("?")[1] ?? "");
    const to = query.get("to");
    if (req.path.endsWith("/redirect") && to)
      return res.writeHead(Number(query.get("status") ?? 302), { location: to }).end("moved");
    if (req.path === "/chain") {
      const left = Number(query.get("n"));
      return res.writeHead(302, { location: left > 0 ? `/chain?n=${left - 1}` : "/echo" }).end();
    }
    if (req.path === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    if (req.path === "/no-location") return res.writeHead(302).end("no location");
    if (req.path === "/not-modified") return res.writeHead(304, { location: "/echo" }).end();
    if (req.path === "/bad-location") return res.writeHead(302, { location: "http://[bad" }).end();
    echo(req, res);
  });
  files = testFiles();
});

afterAll(async () => {
  expect(forbidden.connections).toBe(0);
  await closeAgents();
  await Promise.all([api.close(), other.close(), forbidden.close()]);
  files.cleanup();
});

const client = (policy: Partial<HttpPolicy> = {}, onCall?: (log: HttpCallLog) => void) =>
  loopbackClient(files, policy, { onCall });

const redirect = (to: string, status = 302) => `/redirect?to=${encodeURIComponent(to)}&status=${status}`;

async function landed(...args: Parameters<typeof spec>): Promise<Echo> {
  const response = await client().execute(spec(...args));
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.content) as Echo;
}

const codeOf = async (promise: Promise<unknown>) => (await httpErrorOf(promise)).code;

describe("following redirects", () => {
  it("follows 301, 302, 303, 307 and 308 with relative and absolute locations", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      expect((await landed(api.url, redirect("/echo?x=1#frag", status))).url, String(status)).toBe(
        "/echo?x=1",
      );
      expect((await landed(api.url, redirect(`${api.url}/echo`, status))).url, String(status)).toBe("/echo");
    }
    expect((await landed(`${api.url}/deep/`, redirect("echo"))).url).toBe("/deep/echo"); // relative to /deep/redirect
  });

  it("turns 303, and 301/302 after a POST, into a GET without body", async () => {
    for (const status of [301, 302, 303]) {
      const seen = await landed(api.url, redirect("/echo", status), { method: "POST", jsonBody: '{"x":1}' });
      expect(seen, String(status)).toMatchObject({ method: "GET", body: "" });
      expect(seen.headers["content-type"]).toBeUndefined();
    }
    const put = await landed(api.url, redirect("/echo", 303), { method: "PUT", params: [["a", "1"]] });
    expect(put).toMatchObject({ method: "GET", body: "" });
  });

  it("repeats method and body on 307 and 308, and keeps PUT on 301/302", async () => {
    for (const status of [307, 308]) {
      const seen = await landed(api.url, redirect("/echo", status), { method: "POST", jsonBody: '{"x":1}' });
      expect(seen, String(status)).toMatchObject({ method: "POST", body: '{"x":1}' });
      expect(seen.headers["content-type"]).toBe("application/json");
    }
    const ref = files.add("a.txt", "text/plain", Buffer.from("file body"));
    const upload = await landed(api.url, redirect("/echo", 307), {
      method: "POST",
      files: [{ name: "f", ref }],
    });
    expect(upload.body).toContain("file body");
    const put = await landed(api.url, redirect("/echo", 302), { method: "PUT", params: [["a", "1"]] });
    expect(put).toMatchObject({ method: "PUT", body: "a=1" });
  });

  it("keeps every header on a same-origin redirect", async () => {
    const seen = await landed(api.url, redirect("/echo", 307), {
      headers: [
        ["X-API-Key", "k1"],
        ["Cookie", "sid=1"],
      ],
      bearerToken: "tok",
    });
    expect(seen.headers).toMatchObject({ "x-api-key": "k1", cookie: "sid=1", authorization: "Bearer tok" });
  });

  it("drops credentials and every custom header on a redirect to another origin", async () => {
    const headers: [string, string][] = [
      ["X-API-Key", "secret-key"],
      ["Cookie", "sid=1"],
      ["Proxy-Authorization", "Basic eA=="],
      ["X-Custom", "c"],
      ["Accept", "application/json"],
      ["Accept-Language", "de"],
      ["User-Agent", "probe/1"],
    ];
    for (const auth of [{ bearerToken: "tok" }, { basicAuth: { user: "u", password: "p" } }]) {
      const seen = await landed(api.url, redirect(`${other.url}/landed`), { headers, ...auth });
      expect(seen.url).toBe("/landed");
      for (const name of ["authorization", "x-api-key", "cookie", "proxy-authorization", "x-custom"])
        expect(seen.headers[name], name).toBeUndefined();
      expect(seen.headers).toMatchObject({
        accept: "application/json",
        "accept-language": "de",
        "user-agent": "probe/1",
      });
    }
  });

  it("keeps Content-Type across origins only when the body goes too", async () => {
    const kept = await landed(api.url, redirect(`${other.url}/landed`, 307), {
      method: "POST",
      jsonBody: "{}",
      headers: [
        ["Content-Type", "application/vnd+json"],
        ["X-API-Key", "k"],
      ],
    });
    expect(kept).toMatchObject({ method: "POST", body: "{}" });
    expect(kept.headers["content-type"]).toBe("application/vnd+json");
    expect(kept.headers["x-api-key"]).toBeUndefined();
    const dropped = await landed(api.url, redirect(`${other.url}/landed`, 303), {
      method: "POST",
      jsonBody: "{}",
      headers: [["Content-Type", "application/vnd+json"]],
    });
    expect(dropped.headers["content-type"]).toBeUndefined();
  });

  it("does not restore dropped headers when a later hop returns to the first origin", async () => {
    const seen = await landed(api.url, redirect(`${other.url}/back`), {
      headers: [["X-API-Key", "k"]],
      bearerToken: "tok",
    });
    expect(seen.headers.host).toBe(`127.0.0.1:${api.port}`);
    expect(seen.headers["x-api-key"]).toBeUndefined();
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("returns a 3xx without a usable Location as it is", async () => {
    expect(await client().execute(spec(api.url, "/no-location"))).toMatchObject({
      statusCode: 302,
      content: "no location",
    });
    expect(await client().execute(spec(api.url, "/not-modified"))).toMatchObject({ statusCode: 304 });
  });

  it("logs a redirected request once, under its first URL", async () => {
    const logs: HttpCallLog[] = [];
    await client({}, (log) => logs.push(log)).execute(spec(api.url, "/chain", { query: [["n", "2"]] }));
    expect(logs).toEqual([
      { method: "GET", host: `127.0.0.1:${api.port}`, path: "/chain", status: 200, ms: expect.any(Number) },
    ]);
  });
});

describe("redirect limits and egress", () => {
  it("follows at most maxRedirects hops", async () => {
    expect(
      (await client({ maxRedirects: 3 }).execute(spec(api.url, "/chain", { query: [["n", "2"]] })))
        .statusCode,
    ).toBe(200);
    expect(
      await codeOf(client({ maxRedirects: 3 }).execute(spec(api.url, "/chain", { query: [["n", "3"]] }))),
    ).toBe("too_many_redirects");
    expect(await codeOf(client().execute(spec(api.url, "/loop")))).toBe("too_many_redirects");
    expect(await codeOf(client({ maxRedirects: 0 }).execute(spec(api.url, redirect("/echo"))))).toBe(
      "too_many_redirects",
    );
  });

  it("checks every hop against the egress policy", async () => {
    const targets = [
      `${forbidden.url}/x`,
      `http://2130706434:${forbidden.port}/x`,
      `http://[::ffff:127.0.0.2]:${forbidden.port}/x`,
      `http://[::1]:${forbidden.port}/`,
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.1/",
      "file:///etc/passwd",
      `ftp://127.0.0.1:${api.port}/`,
      "data:text/plain,hi",
    ];
    for (const to of targets) {
      for (const status of [302, 307])
        expect(await codeOf(client().execute(spec(api.url, redirect(to, status)))), to).toBe("egress_denied");
    }
    expect(forbidden.connections).toBe(0);
  });

  it("checks names on redirect hops at connect time", async () => {
    // Only the api port is allowed: "localhost" on another port resolves to 127.0.0.1 and must be refused.
    const strict = client({ allowHosts: [`127.0.0.1:${api.port}`] });
    const before = other.connections;
    expect(await codeOf(strict.execute(spec(api.url, redirect(`http://localhost:${other.port}/x`))))).toBe(
      "egress_denied",
    );
    expect(await codeOf(strict.execute(spec(api.url, redirect(`${other.url}/x`))))).toBe("egress_denied");
    expect(other.connections).toBe(before);
  });

  it("reports an unparsable Location as invalid_url", async () => {
    expect(await codeOf(client().execute(spec(api.url, "/bad-location")))).toBe("invalid_url");
  });
});

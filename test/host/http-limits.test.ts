import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer as createTcpServer } from "node:net";
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from "node:zlib";
import { closeAgents, type HttpPolicy } from "../../runtime/host/http/index.ts";
import {
  echo,
  httpErrorOf,
  loopbackClient,
  type LoopbackServer,
  spec,
  startLoopbackServer,
  testFiles,
  type TestFiles,
} from "../helpers/http-test-servers.ts";

// Timeouts and size caps. No test asserts that something is fast: a broken deadline shows up as a
// test that runs into vitest's own timeout.
const MB = 1024 * 1024;
const TEXT = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i} ü` })),
});
let api: LoopbackServer;
let files: TestFiles;
let bomb: Buffer;

/** 50 MB of zeros, gzipped without holding the 50 MB in memory. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  const zeros = Buffer.alloc(MB);
  for (let written = 0; written < size; written += MB) gzip.write(zeros);
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  bomb = await gzipBomb(50 * MB);
  api = await startLoopbackServer((req, res) => {
    if (req.path === "/trickle") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(".");
      const timer = setInterval(() => res.write("."), 1000);
      return res.on("close", () => clearInterval(timer));
    }
    if (req.path === "/silent") return; // never answers
    if (req.path === "/exact") return res.end(Buffer.alloc(MB, 97));
    if (req.path === "/one-more") return res.end(Buffer.alloc(MB + 1, 97));
    if (req.path === "/chunked-exact" || req.path === "/chunked-one-more") {
      // no Content-Length: the body is counted chunk by chunk, not taken in one piece
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(Buffer.alloc(MB / 2, 97));
      return res.end(Buffer.alloc(req.path === "/chunked-exact" ? MB / 2 : MB / 2 + 1, 97));
    }
    if (req.path === "/endless") {
      res.writeHead(200); // chunked, no Content-Length: only counting can stop it
      const chunk = Buffer.alloc(64 * 1024, 98);
      const pump = () => {
        while (res.write(chunk)) {
          /* fill the socket buffer */
        }
      };
      res.on("drain", pump);
      return pump();
    }
    if (req.path === "/gzip")
      return res
        .writeHead(200, { "content-encoding": "gzip", "content-type": "application/json" })
        .end(gzipSync(TEXT));
    if (req.path === "/deflate")
      return res.writeHead(200, { "content-encoding": "deflate" }).end(deflateSync(TEXT));
    if (req.path === "/br")
      return res.writeHead(200, { "content-encoding": "br" }).end(brotliCompressSync(TEXT));
    if (req.path === "/unknown-coding")
      return res.writeHead(200, { "content-encoding": "x-custom" }).end("as sent");
    if (req.path === "/corrupt")
      return res.writeHead(200, { "content-encoding": "gzip" }).end("this is not gzip at all");
    if (req.path === "/bomb") return res.writeHead(200, { "content-encoding": "gzip" }).end(bomb);
    echo(req, res);
  });
  files = testFiles();
});

afterAll(async () => {
  await closeAgents();
  await api.close();
  files.cleanup();
});

const client = (policy: Partial<HttpPolicy> = {}, signal?: AbortSignal) =>
  loopbackClient(files, { maxResponseBytes: MB, ...policy }, { signal });

const failure = httpErrorOf;

describe("timeouts", () => {
  it("times out a body trickled at 1 byte/s, counting the whole body", async () => {
    const error = await failure(
      client().execute(spec(api.url, "/trickle", { timeoutSeconds: 0.3, query: [["k", "secret-in-query"]] })),
    );
    expect(error.code).toBe("timeout");
    expect(error.message).toContain(`GET 127.0.0.1:${api.port}/trickle did not finish within 0.3 s`);
    expect(error.message).toMatch(/setRequestTimeout/);
    expect(error.message).not.toContain("secret-in-query");
  });

  it("times out a server that never answers, with the policy's default timeout", async () => {
    expect((await failure(client({ defaultTimeoutMs: 300 }).execute(spec(api.url, "/silent")))).code).toBe(
      "timeout",
    );
    expect(
      (
        await failure(
          client({ defaultTimeoutMs: 60_000 }).execute(spec(api.url, "/silent", { timeoutSeconds: 0.3 })),
        )
      ).code,
    ).toBe("timeout");
  });

  it("times out a trickled download and removes the partial file", async () => {
    const error = await failure(client().download(spec(api.url, "/trickle", { timeoutSeconds: 0.3 })));
    expect(error.code).toBe("timeout");
    const temp = files.created.at(-1);
    expect(temp?.finished).toBeNull();
    const { existsSync } = await import("node:fs");
    expect(existsSync(temp!.path)).toBe(false);
  });

  it("stops at once when the action's signal aborts, in headers or in the body", async () => {
    for (const path of ["/silent", "/trickle"]) {
      const action = new AbortController();
      const pending = client({ defaultTimeoutMs: 10 * 60_000 }, action.signal).execute(spec(api.url, path));
      setTimeout(() => action.abort(), 100);
      const error = await failure(pending);
      expect(error.code, path).toBe("timeout");
      expect(error.message).toContain(
        `GET 127.0.0.1:${api.port}${path} was stopped: the action reached its time limit`,
      );
    }
  });

  it("watches the action's signal once per client, and still stops a later request in flight", async () => {
    const { EventEmitter } = await import("node:events");
    const action = new AbortController();
    const http = client({ defaultTimeoutMs: 10 * 60_000 }, action.signal);
    for (let i = 0; i < 3; i++) expect((await http.execute(spec(api.url, "/echo"))).statusCode).toBe(200);
    expect(EventEmitter.getEventListeners(action.signal, "abort")).toHaveLength(1);
    const pending = http.execute(spec(api.url, "/trickle"));
    setTimeout(() => action.abort(), 100);
    expect((await failure(pending)).code).toBe("timeout");
  });

  it("sends nothing once the action's signal has aborted", async () => {
    const action = new AbortController();
    action.abort();
    const before = api.received.length;
    expect((await failure(client({}, action.signal).execute(spec(api.url, "/echo")))).code).toBe("timeout");
    expect((await failure(client({}, action.signal).download(spec(api.url, "/echo")))).code).toBe("timeout");
    expect(api.received.length).toBe(before);
  });

  it("keeps working after a timed-out request", async () => {
    const http = client();
    await failure(http.execute(spec(api.url, "/trickle", { timeoutSeconds: 0.2 })));
    expect((await http.execute(spec(api.url, "/echo"))).statusCode).toBe(200);
  });
});

describe("response size", () => {
  it("accepts a body of exactly maxResponseBytes and refuses one byte more", async () => {
    expect((await client().execute(spec(api.url, "/exact"))).content).toHaveLength(MB);
    const error = await failure(
      client().execute(spec(api.url, "/one-more", { query: [["k", "secret-in-query"]] })),
    );
    expect(error.code).toBe("limit_exceeded");
    expect(error.message).toContain(`GET 127.0.0.1:${api.port}/one-more`);
    expect(error.message).toContain(String(MB));
    expect(error.message).not.toContain("secret-in-query");
  });

  it("counts a body without Content-Length: exactly maxResponseBytes passes, one byte more does not", async () => {
    expect((await client().execute(spec(api.url, "/chunked-exact"))).content).toHaveLength(MB);
    expect((await failure(client().execute(spec(api.url, "/chunked-one-more")))).code).toBe("limit_exceeded");
    expect((await client().execute(spec(api.url, "/echo"))).statusCode).toBe(200);
  });

  it("refuses a chunked body over the cap that also declares a small Content-Length", async () => {
    // Transfer-Encoding frames the body; a small Content-Length beside it must not let a body over
    // the cap through (undici refuses the framing, body.ts would count the chunks).
    const liar = createTcpServer((socket) => {
      socket.on("error", () => undefined);
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
        const chunk = Buffer.alloc(64 * 1024, 99);
        const size = `${chunk.length.toString(16)}\r\n`;
        for (let i = 0; i < 20; i++)
          socket.write(Buffer.concat([Buffer.from(size), chunk, Buffer.from("\r\n")]));
        socket.end("0\r\n\r\n");
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const port = (liar.address() as { port: number }).port;
      const error = await failure(client().execute(spec(`http://127.0.0.1:${port}`, "/")));
      expect(["limit_exceeded", "network_error"]).toContain(error.code);
    } finally {
      liar.close();
    }
  });

  it("stops an endless body at the cap", async () => {
    expect((await failure(client().execute(spec(api.url, "/endless")))).code).toBe("limit_exceeded");
    expect((await client().execute(spec(api.url, "/echo"))).statusCode).toBe(200);
  });

  it("decompresses gzip, deflate and br bodies", async () => {
    for (const path of ["/gzip", "/deflate", "/br"]) {
      const response = await client().execute(spec(api.url, path));
      expect(response.content, path).toBe(TEXT);
    }
    expect((await client().execute(spec(api.url, "/unknown-coding"))).content).toBe("as sent");
  });

  it("reports a body that is not what its Content-Encoding says as a network_error", async () => {
    const error = await failure(client().execute(spec(api.url, "/corrupt")));
    expect(error.code).toBe("network_error");
    expect(error.message).toMatch(/decompress/);
  });

  it("caps the decompressed size of a gzip bomb, with little memory", async () => {
    expect(bomb.length).toBeLessThan(MB);
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 1);
    try {
      for (let i = 0; i < 3; i++)
        expect((await failure(client().execute(spec(api.url, "/bomb")))).code).toBe("limit_exceeded");
      expect((await failure(client({ maxDownloadBytes: MB }).download(spec(api.url, "/bomb")))).code).toBe(
        "limit_exceeded",
      );
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeLessThan(40 * MB); // the whole bomb is 50 MB per request
  });
});

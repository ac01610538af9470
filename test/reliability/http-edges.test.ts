/**
 * The HTTP edge: slow bodies get their timeout answer and the socket closed, oversized headers,
 * shutdown and tus errors answer the documented `{ error: { code, message } }`, and bearer
 * tokens must expire within the configured lifetime.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { request } from "undici";
import { ISSUER, startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let url: string;
let jwks: TestIssuer;
/** /api/test/hold tells when it runs and answers when released. */
const holding = { entered: () => {}, release: () => {}, released: Promise.resolve() };
const nowHolding = new Promise<void>((resolve) => (holding.entered = resolve));
holding.released = new Promise<void>((resolve) => (holding.release = resolve));

beforeAll(async () => {
  jwks = await startIssuer();
  api = await startApi([join(FIXTURE_APPS, "app-probe")], {
    server: {
      requestTimeoutMs: 1_000,
      oidc: {
        issuer: ISSUER,
        jwksUrl: jwks.jwksUrl,
        maxTokenAgeSeconds: 3600,
        skipAudience: true,
      },
    },
  });
  api.server.get("/api/test/hold", { config: { access: "signed-in" } }, async () => {
    holding.entered();
    await holding.released;
    return { held: true };
  });
  url = await api.server.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await api.close();
  await jwks.close();
});

/** A raw connection: what was received, and whether the server closed it. */
function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1", () =>
      resolve({ socket, received: () => data, closed }),
    );
    let data = "";
    socket.on("data", (chunk) => (data += chunk));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((done) => socket.on("close", () => done()));
  });
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));

describe("slow request bodies", () => {
  it("get the timeout answer and then the connection is closed", async () => {
    const connections = await Promise.all(Array.from({ length: 5 }, () => rawConnection()));
    const trickles: NodeJS.Timeout[] = [];
    for (const { socket } of connections) {
      socket.write(
        `POST /api/tickets/multi HTTP/1.1\r\nHost: x\r\nAuthorization: ${api.auth.authorization}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`,
      );
      trickles.push(setInterval(() => socket.writable && socket.write(" "), 200));
    }
    try {
      for (const connection of connections) {
        await Promise.race([
          connection.closed,
          new Promise((_, reject) => setTimeout(() => reject(new Error("socket still open")), 20_000)),
        ]);
        expect(connection.received()).toMatch(/^HTTP\/1\.1 504/);
        expect(connection.received()).toMatch(/\r\nconnection: close\r\n/i);
        expect(bodyOf(connection.received()).error.code).toBe("timeout");
      }
    } finally {
      for (const timer of trickles) clearInterval(timer);
    }
  });
});

describe("error shapes", () => {
  it("answers oversized headers with a JSON 431", async () => {
    const connection = await rawConnection();
    connection.socket.write(`GET /api/common HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 431/);
    expect(bodyOf(connection.received()).error.code).toBe("headers_too_large");
  });

  it("answers tus protocol errors in JSON", async () => {
    const res = await request(`${url}/api/upload-tus`, { method: "POST", headers: api.auth });
    expect(res.statusCode).toBe(412);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "bad_request", message: "Tus-Resumable Required" });
  });
});

describe("bearer JWT lifetime", () => {
  const sign = (claims: Record<string, unknown>, configure: Parameters<TestIssuer["sign"]>[1]) =>
    jwks.sign(claims, configure);
  const common = async (token: string) => api.get("/api/common", { authorization: `Bearer ${token}` });

  it("refuses a token without exp, and one living longer than the maximum", async () => {
    const forever = await common(await sign({ sub: "bob" }, (jwt) => jwt.setIssuedAt()));
    expect(forever.statusCode).toBe(401);
    expect(forever.json().error.message).toMatch(/no expiry/);
    const long = await common(await sign({ sub: "bob" }, (jwt) => jwt.setIssuedAt().setExpirationTime("2h")));
    expect(long.statusCode).toBe(401);
    expect(long.json().error.message).toMatch(/longer than the accepted 3600 s/);
    const fine = await common(
      await sign({ sub: "bob" }, (jwt) => jwt.setIssuedAt().setExpirationTime("30m")),
    );
    expect(fine.statusCode).toBe(200);
  });
});

describe("shutdown", () => {
  it("answers requests that arrive while closing with a JSON 503", async () => {
    // A keep-alive client sends a second request while its first is still running and the
    // server has started closing.
    const connection = await rawConnection();
    const auth = `Authorization: ${api.auth.authorization}`;
    connection.socket.write(`GET /api/test/hold HTTP/1.1\r\nHost: x\r\n${auth}\r\n\r\n`);
    await nowHolding;
    const closing = api.server.close();
    connection.socket.write(`GET /api/common HTTP/1.1\r\nHost: x\r\n${auth}\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    holding.release();
    await connection.closed;
    await closing;
    const [first, second] = connection.received().split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second).toMatch(/retry-after: 5/i);
    expect(bodyOf(second).error.code).toBe("shutting_down");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LookupAddress } from "node:dns";
import { EgressDenied, guardedLookup } from "../../runtime/host/http/agent.ts";
import { AllowList, isRestrictedAddress } from "../../runtime/host/http/egress.ts";
import { closeAgents, type HttpError } from "../../runtime/host/http/index.ts";
import {
  echo,
  httpErrorOf,
  loopbackClient,
  type LoopbackServer,
  spec,
  startForbiddenServer,
  startLoopbackServer,
  testFiles,
  type TestFiles,
} from "../helpers/http-test-servers.ts";

// Egress: only loopback servers are started; every other address is checked without a packet.
let api: LoopbackServer;
let second: LoopbackServer;
let forbidden: LoopbackServer;
let files: TestFiles;

beforeAll(async () => {
  forbidden = await startForbiddenServer();
  api = await startLoopbackServer(echo);
  second = await startLoopbackServer(echo);
  files = testFiles();
});

afterAll(async () => {
  expect(forbidden.connections).toBe(0);
  await closeAgents();
  await Promise.all([api.close(), second.close(), forbidden.close()]);
  files.cleanup();
});

const client = (allowHosts: string[]) => loopbackClient(files, { allowHosts });

const codeOf = async (promise: Promise<unknown>) => (await httpErrorOf(promise)).code;

describe("schemes", () => {
  it("refuses every scheme but http and https", async () => {
    for (const base of [
      "file:///etc/passwd",
      "data:text/plain,hi",
      `ftp://127.0.0.1:${api.port}/`,
      "javascript:alert(1)",
      `ws://127.0.0.1:${api.port}/`,
      "gopher://127.0.0.1/",
    ]) {
      expect(await codeOf(client(["127.0.0.1"]).execute(spec(base, "/x"))), base).toBe("egress_denied");
    }
    expect(api.connections).toBe(0);
  });
});

describe("restricted addresses", () => {
  it("refuses loopback in every spelling when the allow-list is empty", async () => {
    const port = forbidden.port;
    const bases = [
      `http://127.0.0.2:${port}`,
      `http://2130706434:${port}`,
      `http://0x7f.0.0.2:${port}`,
      `http://0177.0.0.02:${port}`,
      `http://127.2:${port}`,
      `http://[::ffff:127.0.0.2]:${port}`,
      `http://[::ffff:7f00:2]:${port}`,
      `http://[::1]:${port}`,
      `http://[0:0:0:0:0:0:0:1]:${port}`,
      `http://0.0.0.0:${port}`,
      `http://[::]:${port}`,
      `http://127.0.0.1:${api.port}`,
    ];
    for (const base of bases)
      expect(await codeOf(client([]).execute(spec(base, "/x"))), base).toBe("egress_denied");
    expect(forbidden.connections).toBe(0);
    expect(api.connections).toBe(0);
  });

  it("refuses a DNS name that resolves to loopback, at connect time", async () => {
    for (const allow of [[], ["127.0.0.2"], [`localhost:${api.port + 1}`], ["example.test"]]) {
      const error = await client(allow)
        .execute(spec(`http://localhost:${api.port}`, "/x", { query: [["key", "secret-in-query"]] }))
        .then(
          () => null,
          (e: unknown) => e as HttpError,
        );
      expect(error?.code, JSON.stringify(allow)).toBe("egress_denied");
      expect(error?.message).toContain(`GET localhost:${api.port}/x`);
      expect(error?.message).toMatch(/--allow-host/);
      expect(error?.message).not.toContain("secret-in-query");
    }
    expect(api.connections).toBe(0);
  });

  it("allows a restricted target that the allow-list names by host (any case, optional port) or by resolved address", async () => {
    const ok = async (allow: string[], base: string) =>
      expect((await client(allow).execute(spec(base, "/x"))).statusCode, `${allow} -> ${base}`).toBe(200);
    await ok(["127.0.0.1"], api.url);
    await ok([` 127.0.0.1:${api.port} `], api.url);
    await ok(["LOCALHOST"], `http://localhost:${api.port}`);
    await ok([`localhost:${api.port}`], `http://LocalHost:${api.port}`);
    // Naming the address does not let a name that resolves to it through: the URL's host must be listed.
    expect(await codeOf(client(["127.0.0.1"]).execute(spec(`http://localhost:${api.port}`, "/x")))).toBe(
      "egress_denied",
    );
    await ok(["127.0.0.1"], `http://2130706433:${api.port}`);
    await ok(["::ffff:127.0.0.1"], api.url);
  });

  it("holds a port-specific entry to its port, by address and by name", async () => {
    expect((await client([`127.0.0.1:${api.port}`]).execute(spec(api.url, "/x"))).statusCode).toBe(200);
    expect(await codeOf(client([`127.0.0.1:${api.port}`]).execute(spec(second.url, "/x")))).toBe(
      "egress_denied",
    );
    expect(
      await codeOf(client([`localhost:${api.port}`]).execute(spec(`http://localhost:${second.port}`, "/x"))),
    ).toBe("egress_denied");
    expect(second.connections).toBe(0);
  });

  it("classifies addresses: loopback, private, link-local, metadata, CGNAT, unspecified and their IPv6 forms", () => {
    const restricted = [
      "127.0.0.1",
      "127.255.255.254",
      "10.0.0.1",
      "10.255.255.255",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "169.254.0.1",
      "100.64.0.1",
      "100.127.255.255",
      "0.0.0.0",
      "0.1.2.3",
      "::",
      "::1",
      "[::1]",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "FE80::abcd",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "::127.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::1",
      "224.0.0.1",
      "255.255.255.255",
      "ff02::1",
    ];
    const open = [
      "8.8.8.8",
      "1.1.1.1",
      "172.32.0.1",
      "172.15.255.255",
      "100.128.0.1",
      "169.255.0.1",
      "192.169.0.1",
      "11.0.0.1",
      "2001:4860:4860::8888",
      "::ffff:8.8.8.8",
      "64:ff9b::808:808",
      "example.com",
      "localhost",
    ];
    for (const address of restricted) expect(isRestrictedAddress(address), address).toBe(true);
    for (const address of open) expect(isRestrictedAddress(address), address).toBe(false);
  });

  it("reads allow-list entries with and without ports, brackets and case", () => {
    const allow = new AllowList([
      "10.0.0.5:8080",
      "[::1]",
      "[fd00::2]:443",
      "fe80::1",
      "Intranet.Example",
      "",
      "  ",
    ]);
    expect(allow.permits("10.0.0.5", "8080", "10.0.0.5")).toBe(true);
    expect(allow.permits("10.0.0.5", "22", "10.0.0.5")).toBe(false);
    expect(allow.permits("evil.example", "8080", "10.0.0.5")).toBe(false); // naming the address does not allow names that resolve to it
    expect(allow.permits("evil.example", "22", "10.0.0.5")).toBe(false);
    expect(allow.permits("[::1]", "1", "::1")).toBe(true);
    expect(allow.permits("[fd00::2]", "443", "fd00::2")).toBe(true);
    expect(allow.permits("[fd00::2]", "80", "fd00::2")).toBe(false);
    expect(allow.permits("[fe80::1]", "80", "fe80::1")).toBe(true);
    expect(allow.permits("intranet.example.", "80", "10.1.1.1")).toBe(true);
    expect(allow.permits("other.example", "80", "10.1.1.1")).toBe(false);
    expect(allow.permits("public.example", "80", "93.184.216.34")).toBe(true);
    expect(new AllowList([]).permits("127.0.0.1", "80", "127.0.0.1")).toBe(false);
  });
});

describe("the connect-time lookup", () => {
  const fakeDns =
    (answer: LookupAddress[]) =>
    (_name: string, _options: unknown, callback: (error: Error | null, addresses: LookupAddress[]) => void) =>
      callback(null, answer);
  const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ error: Error | null; address?: unknown; family?: number }>((resolve) =>
      lookup("svc.example", { all }, (error, address, family) => resolve({ error, address, family })),
    );

  it("drops restricted addresses from a DNS answer and refuses a name with nothing left", async () => {
    const mixed = guardedLookup(
      new AllowList([]),
      "svc.example",
      "80",
      fakeDns([
        { address: "169.254.169.254", family: 4 },
        { address: "93.184.216.34", family: 4 },
        { address: "::1", family: 6 },
      ]),
    );
    expect(await run(mixed, true)).toEqual({
      error: null,
      address: [{ address: "93.184.216.34", family: 4 }],
      family: undefined,
    });
    expect(await run(mixed, false)).toEqual({ error: null, address: "93.184.216.34", family: 4 });
    const internal = guardedLookup(
      new AllowList([]),
      "svc.example",
      "80",
      fakeDns([
        { address: "10.0.0.7", family: 4 },
        { address: "fd00::7", family: 6 },
      ]),
    );
    expect((await run(internal, true)).error).toBeInstanceOf(EgressDenied);
    const mapped = guardedLookup(
      new AllowList([]),
      "svc.example",
      "80",
      fakeDns([{ address: "::ffff:127.0.0.1", family: 6 }]),
    );
    expect((await run(mapped, false)).error).toBeInstanceOf(EgressDenied);
  });

  it("lets a listed name through on the listed port only; a listed address does not let names through", async () => {
    const answer = fakeDns([{ address: "10.0.0.7", family: 4 }]);
    expect(
      (await run(guardedLookup(new AllowList(["svc.example"]), "svc.example", "80", answer), false)).address,
    ).toBe("10.0.0.7");
    expect(
      (await run(guardedLookup(new AllowList(["svc.example:8443"]), "svc.example", "8443", answer), false))
        .address,
    ).toBe("10.0.0.7");
    expect(
      (await run(guardedLookup(new AllowList(["svc.example:8443"]), "svc.example", "80", answer), false))
        .error,
    ).toBeInstanceOf(EgressDenied);
    expect(
      (await run(guardedLookup(new AllowList(["10.0.0.7:8443"]), "svc.example", "8443", answer), false))
        .error,
    ).toBeInstanceOf(EgressDenied);
  });

  it("passes DNS errors through", async () => {
    const failing = guardedLookup(new AllowList([]), "svc.example", "80", (_n, _o, callback) =>
      callback(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), []),
    );
    expect((await run(failing, true)).error).toMatchObject({ code: "ENOTFOUND" });
  });
});

/**
 * RestApi.setComindAuth(): logic calls this runtime's own REST API as the user running the
 * action, with a short-lived token the host adds; it never goes to another server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { ComindAuth } from "../../runtime/host/comind-auth.ts";
import { echo, type LoopbackServer, spec, startLoopbackServer } from "../helpers/http-test-servers.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const LOGIC = `
import { entity } from "#typings";
export default {
  whoami() {
    const url = AppSchema.getSecrets().COMIND_SECRET_RUNTIME_URL!;
    const res = RestApi.createClient(url).createRequest("/api/common", "GET").setComindAuth().executeRequest();
    entity.c_text = res.statusCode + " " + JSON.parse(res.content).user.id;
  },
  elsewhere() {
    RestApi.createClient(AppSchema.getSecrets().COMIND_SECRET_OTHER_URL!).createRequest("/steal", "GET").setComindAuth().executeRequest();
  },
};`;

const secrets: Record<string, string> = {};
let api: TestServerApi;
let other: LoopbackServer;

beforeAll(async () => {
  other = await startLoopbackServer(echo);
  const app = writeTempApp({
    "actions/index.ts": 'export default [{ uid: "whoami" }, { uid: "elsewhere" }] as const;\n',
    "actions/logic/index.ts": LOGIC,
    "settings/secrets.ts":
      "export const secrets = { a: process.env.COMIND_SECRET_RUNTIME_URL, b: process.env.COMIND_SECRET_OTHER_URL };\n",
  });
  api = await startApi([app], { runtime: { secrets, allowHosts: [`127.0.0.1:${other.port}`] } });
  await api.server.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(api.server.server.address() as AddressInfo).port}`;
  Object.assign(secrets, { COMIND_SECRET_RUNTIME_URL: url, COMIND_SECRET_OTHER_URL: other.url });
  api.runtime.servesAt(url);
});
afterAll(async () => {
  await api.close();
  await other.close();
  removeTempApps();
});

describe("RestApi.setComindAuth", () => {
  it("signs the request in to this runtime's REST API as the user running the action", async () => {
    const result = await api.runtime.run({
      app: "TEMP",
      action: "whoami",
      caller: asDeveloper({ id: "bob", name: "Bob", isAdmin: false }),
    });
    expect(result.ok && result.entity.c_text).toBe("200 bob");
  });

  it("refuses to send the user's credentials to any other server", async () => {
    const result = await api.runtime.run({ caller: asDeveloper(), app: "TEMP", action: "elsewhere" });
    expect(!result.ok && result.error.code).toBe("forbidden");
    expect(!result.ok && result.error.message).toMatch(/own REST API only/);
    expect(other.received).toHaveLength(0);
  });

  it("the REST API refuses forged and expired short-lived codes", async () => {
    const forged = await new SignJWT({ name: "Mallory", adm: true })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("admin")
      .setAudience("comind-runtime:comind-auth")
      .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
      .sign(new TextEncoder().encode("a key the runtime never had"));
    const res = await api.get("/api/common", { authorization: `CMW_AUTH_CODE ${forged}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/short-lived auth code/);
  });
});

describe("setComindAuth in a cluster", () => {
  it("a token made by one runtime node is accepted by another on the same store", async () => {
    const otherNode = await createActionRuntime({ store: api.store, secrets: {} });
    try {
      otherNode.servesAt(secrets.COMIND_SECRET_RUNTIME_URL);
      const signed = await otherNode.config.comindAuth.apply(
        spec(secrets.COMIND_SECRET_RUNTIME_URL, "/api/common", { comindAuth: true }),
        { id: "carol", name: "Carol" },
      );
      const res = await api.get("/api/common", { authorization: signed.headers[0][1] });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.id).toBe("carol");
    } finally {
      await otherNode.close();
    }
  });
});

describe("ComindAuth tokens", () => {
  const key = new TextEncoder().encode("k".repeat(32));
  const auth = new ComindAuth({ publicUrl: "http://127.0.0.1:8080/", signingKey: async () => key });

  it("adds an Authorization header for the public origin only, replacing any other credential", async () => {
    const signed = await auth.apply(
      spec("http://127.0.0.1:8080", "/api/common", {
        comindAuth: true,
        bearerToken: "t",
        headers: [["authorization", "x"]],
      }),
      { id: "u1", name: "U", isAdmin: true },
    );
    expect(signed.bearerToken).toBeUndefined();
    expect(signed.comindAuth).toBeUndefined();
    const [[name, value]] = signed.headers;
    expect(name).toBe("Authorization");
    expect(await auth.verify(value.replace("CMW_AUTH_CODE ", ""))).toEqual({
      id: "u1",
      name: "U",
      isAdmin: true,
    });
    await expect(
      auth.apply(spec("http://127.0.0.1:8081", "/", { comindAuth: true }), { id: "u1", name: "U" }),
    ).rejects.toMatchObject({ code: "forbidden" });
    const untouched = spec("http://example.com", "/");
    expect(await auth.apply(untouched, { id: "u1", name: "U" })).toBe(untouched);
  });

  it("does not accept an expired token or one signed with another key", async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setAudience("comind-runtime:comind-auth")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(key);
    expect(await auth.verify(expired)).toBeNull();
    const foreign = new ComindAuth({ publicUrl: "http://127.0.0.1:8080" });
    const header = (
      await foreign.apply(spec("http://127.0.0.1:8080", "/", { comindAuth: true }), { id: "u", name: "U" })
    ).headers[0][1];
    expect(await auth.verify(header.replace("CMW_AUTH_CODE ", ""))).toBeNull();
  });

  it("without a REST API there is nothing to sign in to", async () => {
    await expect(
      new ComindAuth().apply(spec("http://127.0.0.1:8080", "/", { comindAuth: true }), {
        id: "u",
        name: "U",
      }),
    ).rejects.toThrow(/serves no REST API/);
  });
});

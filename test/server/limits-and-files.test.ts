import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { parse as parseContentDisposition } from "content-disposition";
import { join } from "node:path";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { ISSUER, startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";

let api: TestServerApi;
let jwks: TestIssuer;

beforeAll(async () => {
  jwks = await startIssuer();
  api = await startApi([join(FIXTURE_APPS, "app-probe")], {
    runtime: { limits: { cpuMs: 300, wallMs: 2_000 } },
    server: {
      oidc: {
        issuer: ISSUER,
        jwksUrl: jwks.jwksUrl,
        skipAudience: true,
        adminClaim: { claim: "roles", value: "admin" },
      },
      requestTimeoutMs: 1_000,
    },
  });
  api.server.get("/api/test/slow", { config: { access: "signed-in" } }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return { late: true };
  });
});
afterAll(async () => {
  await api.close();
  await jwks.close();
});

const jwt = (claims: Record<string, unknown>, issuer = ISSUER, expires = "5m") =>
  jwks.sign(claims, (token) => token.setIssuer(issuer).setIssuedAt().setExpirationTime(expires));

describe("bearer JWTs", () => {
  it("accepts a token signed by the issuer's JWKS and makes its subject the current user", async () => {
    const res = await api.get("/api/common", {
      authorization: `Bearer ${await jwt({ sub: "bob", name: "Bob", roles: ["admin"] })}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: "bob", name: "Bob", is_admin: true });
  });

  it("takes the user's time zone for /api/common's tz from the zoneinfo claim (UTC when unknown)", async () => {
    const berlin = await api.get("/api/common", {
      authorization: `Bearer ${await jwt({ sub: "carl", zoneinfo: "Europe/Berlin" })}`,
    });
    expect(berlin.json()).toMatchObject({ user_id: "carl", tz: "Europe/Berlin" });
    const bogus = await api.get("/api/common", {
      authorization: `Bearer ${await jwt({ sub: "carl", zoneinfo: "Mars/Olympus" })}`,
    });
    expect(bogus.json().tz).toBe("UTC");
  });

  it("refuses another issuer, an expired token and a bad signature", async () => {
    const other = await api.get("/api/common", {
      authorization: `Bearer ${await jwt({ sub: "bob" }, "https://evil.test")}`,
    });
    const expired = await api.get("/api/common", {
      authorization: `Bearer ${await jwt({ sub: "bob" }, ISSUER, "-1m")}`,
    });
    const token = await jwt({ sub: "bob" });
    const tampered = await api.get("/api/common", { authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    for (const res of [other, expired, tampered]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("unauthorized");
    }
  });
});

describe("request limits", () => {
  it("answers a body over 100 KB with a JSON 413", async () => {
    const res = await api.post("/api/tickets/multi", [
      { transition: "add", app_alias: "PROBE", description: "x".repeat(110 * 1024) },
    ]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("payload_too_large");
  });

  it("answers a request that runs past its time with a JSON 504", async () => {
    const res = await api.get("/api/test/slow");
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe("timeout");
  });

  it("gives an action only what is left of the request's time", async () => {
    const [item] = (await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE" }])).json();
    const res = await api.post("/api/tickets/multi", [{ id: item.data.id, transition: "sleep_loop" }]);
    // Its only item failed: the batch answers the item's error status.
    expect(res.statusCode).toBe(504);
    const [slow] = res.json().results;
    expect(slow.error.code).toBe("timeout");
  });

  it("answers bad JSON with a 400, never a 500", async () => {
    const res = await api.server.inject({
      method: "POST",
      url: "/api/tickets/multi",
      payload: "[{ not json",
      headers: { ...api.auth, "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("bad_request");
  });
});

describe("a hostile app does not disturb the others", () => {
  it("keeps serving while an action loops and another blows its heap", async () => {
    // A server of its own whose limits cannot stand in for each other on a loaded machine: the
    // bomb fills 32 MB long before 1 s of CPU, and no wall clock or request time runs out first.
    const roomy = await startApi([join(FIXTURE_APPS, "app-probe")], {
      runtime: { limits: { cpuMs: 1_000, wallMs: 25_000, memoryMb: 32 } },
    });
    try {
      const [record] = (
        await roomy.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_count: 0 }])
      ).json();
      const hostile = Promise.all([
        roomy.post("/api/tickets/multi", [{ id: record.data.id, transition: "cpu_loop" }]),
        roomy.post("/api/tickets/multi", [{ id: record.data.id, transition: "memory_bomb" }]),
      ]);
      const friendly = [];
      for (let i = 0; i < 5; i++)
        friendly.push(
          (await roomy.post("/api/apps/DEMO/PROBE/actions/increment", { id: record.data.id })).json(),
        );
      const [loop, bomb] = await hostile;
      expect(loop.json().results[0].error.code).toBe("timeout");
      expect(bomb.json().results[0].error.code).toBe("out_of_memory");
      expect(friendly.every((r) => r.ok)).toBe(true);
    } finally {
      await roomy.close();
    }
  });
});

describe("files", () => {
  // The server above has tight limits (a 1 s request) for the limit cases; file round trips get
  // the defaults, so a busy machine cannot turn them into timeouts.
  let files: TestServerApi;
  beforeAll(async () => {
    files = await startApi([join(FIXTURE_APPS, "app-probe")]);
  });
  afterAll(async () => {
    await files.close();
  });
  it("downloads a file that an action persisted", async () => {
    const [item] = (
      await files.post("/api/tickets/multi", [
        {
          transition: "csv_roundtrip",
          id: (await files.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE" }])).json()[0]
            .data.id,
        },
      ])
    ).json();
    const uid = item.data.attachments[0].file_uid;
    const res = await files.get(`/api/download/${uid}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv");
    expect(parseContentDisposition(String(res.headers["content-disposition"]))).toEqual({
      type: "attachment",
      parameters: { filename: "rows.csv" },
    });
    expect(res.body).toBe('a,b\n1,"two, three"\n4,"quote ""q"""\n');
    expect((await files.get("/api/download/00000000-0000-0000-0000-000000000000")).statusCode).toBe(404);
    expect((await files.get("/api/download/..%2F..%2Fetc%2Fpasswd")).statusCode).toBe(404);
  });

  it("takes a tus upload and attaches it to a record", async () => {
    const bytes = Buffer.from("%PDF-1.4 resumable upload \u0000\u0001 bytes".repeat(100), "latin1");
    const meta = `filename ${Buffer.from("scan.pdf").toString("base64")},filetype ${Buffer.from("application/pdf").toString("base64")}`;
    const created = await files.server.inject({
      method: "POST",
      url: "/api/upload-tus",
      headers: {
        ...files.auth,
        "tus-resumable": "1.0.0",
        "upload-length": String(bytes.length),
        "upload-metadata": meta,
      },
    });
    expect(created.statusCode).toBe(201);
    const location = new URL(String(created.headers.location), "http://x").pathname;
    const half = Math.floor(bytes.length / 2);
    const first = await files.server.inject({
      method: "PATCH",
      url: location,
      payload: bytes.subarray(0, half),
      headers: {
        ...files.auth,
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
      },
    });
    expect(first.statusCode).toBe(204);
    const head = await files.server.inject({
      method: "HEAD",
      url: location,
      headers: { ...files.auth, "tus-resumable": "1.0.0" },
    });
    expect(head.headers["upload-offset"]).toBe(String(half));
    const second = await files.server.inject({
      method: "PATCH",
      url: location,
      payload: bytes.subarray(half),
      headers: {
        ...files.auth,
        "tus-resumable": "1.0.0",
        "upload-offset": String(half),
        "content-type": "application/offset+octet-stream",
      },
    });
    expect(second.statusCode).toBe(204);
    const uid = String(second.headers["comind-file-uid"]);
    expect(location.endsWith(uid)).toBe(true);
    expect(await files.store.getFile(uid)).toMatchObject({
      fileName: "scan.pdf",
      contentType: "application/pdf",
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    const [item] = (
      await files.post("/api/tickets/multi", [
        { transition: "add", app_alias: "PROBE", attachments: [{ file_uid: uid, title: "scan.pdf" }] },
      ])
    ).json();
    expect(item.data.attachments__list).toEqual([{ file_uid: uid, title: "scan.pdf" }]);
    expect((await files.get(`/api/download/${uid}`)).rawPayload).toEqual(bytes);
  });

  it("refuses uploads without credentials and attachments of unknown files", async () => {
    const res = await files.server.inject({
      method: "POST",
      url: "/api/upload-tus",
      headers: { "tus-resumable": "1.0.0", "upload-length": "3" },
    });
    expect(res.statusCode).toBe(401);
    const attached = await files.post("/api/tickets/multi", [
      { transition: "add", app_alias: "PROBE", attachments: [{ file_uid: "nope", title: "x" }] },
    ]);
    expect(attached.statusCode).toBe(400);
    const [item] = attached.json().results;
    expect(item.error.code).toBe("validation_error");
  });
});

/**
 * apps/app-user-directory (USERDIR) end to end: sync_users against the seed-002 User API mock —
 * OAuth client credentials, page/limit pagination, rate-limit headers, 429 retry, importData.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { startMockUserApi, type MockUserApi } from "../fixtures/mock-userapi.ts";
import { EXAMPLE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const APP_DIR = join(EXAMPLE_APPS, "app-user-directory");

function secretsFor(api: MockUserApi, overrides: Record<string, string> = {}) {
  return {
    COMIND_SECRET_USERAPI_CLIENT_ID: api.clientId,
    COMIND_SECRET_USERAPI_CLIENT_SECRET: api.clientSecret,
    COMIND_SECRET_USERAPI_BASE_URL: api.url,
    ...overrides,
  };
}

async function runtimeFor(api: MockUserApi, overrides: Record<string, string> = {}): Promise<TestRuntime> {
  const t = await startRuntime({ allowHosts: ["127.0.0.1"], secrets: secretsFor(api, overrides) });
  await t.runtime.loadApp(APP_DIR);
  return t;
}

const userRecords = (t: TestRuntime, where: Record<string, unknown> = {}) =>
  t.store.findRecords({
    workspace: "DEMO",
    app: "USERDIR",
    where: { c_source: "userapi", ...where },
    limit: 1000,
  });

describe("USERDIR sync_users", () => {
  let api: MockUserApi;
  let t: TestRuntime;
  let triggerId: string;

  beforeAll(async () => {
    api = await startMockUserApi({ userCount: 250 });
    t = await runtimeFor(api);
  });
  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  const sync = (recordId?: string) =>
    t.runtime.run({
      caller: asDeveloper(),
      app: "USERDIR",
      action: "sync_users",
      ...(recordId ? { recordId } : { values: { title: "Nightly user sync" } }),
    });

  it("gets a token with a form-encoded client-credentials POST, then pages through 250 users", async () => {
    const result = await sync();
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    triggerId = result.recordId;

    const [tokenRequest, ...userRequests] = api.requests;
    expect(tokenRequest).toMatchObject({ method: "POST", path: "/api/v1/oauth/token", status: 200 });
    expect(tokenRequest.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: "client_credentials",
      client_id: api.clientId,
      client_secret: api.clientSecret,
    });

    expect(userRequests.map((r) => [r.path, r.query.get("page"), r.query.get("limit"), r.status])).toEqual([
      ["/api/v1/users", "1", "100", 200],
      ["/api/v1/users", "2", "100", 200],
      ["/api/v1/users", "3", "100", 200],
    ]);
    expect(api.tokens).toHaveLength(1);
    for (const request of userRequests) expect(request.headers.authorization).toBe(`Bearer ${api.tokens[0]}`);
    expect(result.httpCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      "POST /api/v1/oauth/token 200",
      "GET /api/v1/users 200",
      "GET /api/v1/users 200",
      "GET /api/v1/users 200",
    ]);

    expect(result.entity).toMatchObject({
      title: "Nightly user sync",
      c_synced_count: 250,
      c_pages_fetched: 3,
      c_rate_limit_waits: 0,
      c_last_sync_status: "Synced 250 users: 250 created, 0 updated (3 pages)",
    });
    expect(Date.parse(result.entity.c_last_sync_date as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("stores every user once with the mapped fields, and one history entry each", async () => {
    const records = await userRecords(t);
    expect(records).toHaveLength(250);
    expect(new Set(records.map((r) => r.fields.c_user_id)).size).toBe(250);
    const [user42] = await userRecords(t, { c_user_id: "42" });
    expect(user42.fields).toMatchObject({
      title: "user042",
      c_username: "user042",
      c_email: "user042@example.test",
      c_role: "editor",
      c_status: "active",
      c_created_at: "2023-02-11T00:00:00Z",
      c_last_login: null,
      c_source: "userapi",
    });
    const history = await t.store.history("DEMO", user42.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ transition: "add", action: "sync_users" });
    expect(await t.store.history("DEMO", triggerId)).toHaveLength(1);
  });

  it("updates the same records on the next run instead of creating new ones", async () => {
    const user42 = api.users.find((u) => u.id === 42)!;
    user42.role = "admin";
    user42.email = "user042@new.example.test";
    const before = api.requests.length;

    const result = await sync(triggerId);
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    expect(result.created).toBe(false);
    expect(result.entity.c_last_sync_status).toBe("Synced 250 users: 0 created, 250 updated (3 pages)");
    // A new token for the new run: tokens are not kept between actions.
    expect(api.tokens).toHaveLength(2);
    expect(
      api.requests.slice(before + 1).every((r) => r.headers.authorization === `Bearer ${api.tokens[1]}`),
    ).toBe(true);

    expect(await userRecords(t)).toHaveLength(250);
    const [stored] = await userRecords(t, { c_user_id: "42" });
    expect(stored.fields).toMatchObject({ c_role: "admin", c_email: "user042@new.example.test" });
    const history = await t.store.history("DEMO", stored.id);
    expect(history).toHaveLength(2);
    expect(history[1].changes).toEqual(
      expect.arrayContaining([
        { field: "c_role", old: "editor", new: "admin" },
        { field: "c_email", old: "user042@example.test", new: "user042@new.example.test" },
      ]),
    );
    // Unchanged users get no new history entry.
    const [user41] = await userRecords(t, { c_user_id: "41" });
    expect(await t.store.history("DEMO", user41.id)).toHaveLength(1);
    expect(await t.store.history("DEMO", triggerId)).toHaveLength(2);
  });

  it("retries a page once after a 429, waiting for Retry-After", async () => {
    api.tooManyRequests = 1;
    const before = api.requests.length;
    const result = await sync(triggerId);
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    const seen = api.requests.slice(before);
    expect(seen.map((r) => `${r.path}?page=${r.query.get("page") ?? ""} ${r.status}`)).toEqual([
      "/api/v1/oauth/token?page= 200",
      "/api/v1/users?page=1 429",
      "/api/v1/users?page=1 200",
      "/api/v1/users?page=2 200",
      "/api/v1/users?page=3 200",
    ]);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(950);
    expect(result.entity.c_rate_limit_waits).toBe(1);
    expect(
      result.logs.some((l) => /rate limit exceeded on page 1 \(HTTP 429\); waiting 1000 ms/.test(l.message)),
    ).toBe(true);
  });

  it("fails on a second 429 for the same page and writes nothing", async () => {
    api.tooManyRequests = 2;
    const historyBefore = await t.store.history("DEMO", triggerId);
    const result = await sync(triggerId);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("logic_error");
    expect(result.error.message).toBe(
      "User API rate limit exceeded twice on page 1 (rate_limit_exceeded: Too many requests); try the sync again later.",
    );
    expect(await t.store.history("DEMO", triggerId)).toEqual(historyBefore);
    expect(await userRecords(t)).toHaveLength(250);
  });
});

describe("USERDIR rate limits", () => {
  let api: MockUserApi;
  let t: TestRuntime;
  let stoppedAt: number | null = null;

  beforeAll(async () => {
    // 3 requests per 2-second window: token, page 1 and page 2 use it up before page 3. The mock's
    // clock stands still for those three (however slow the machine, they share one window) and is
    // the real clock from then on, which the app's sleep until X-RateLimit-Reset is measured by.
    api = await startMockUserApi({
      userCount: 250,
      rateLimit: 3,
      windowSeconds: 2,
      now: () => (stoppedAt !== null && api.requests.length < 3 ? stoppedAt : Date.now()),
    });
    t = await runtimeFor(api);
  });
  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  it("sleeps until X-RateLimit-Reset when X-RateLimit-Remaining reaches 0, so no request is refused", async () => {
    stoppedAt = Date.now();
    const result = await t.runtime.run({ caller: asDeveloper(), app: "USERDIR", action: "sync_users" });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    expect(api.requests.map((r) => [r.query.get("page"), r.status, r.rateLimitRemaining])).toEqual([
      [null, 200, 2],
      ["1", 200, 1],
      ["2", 200, 0],
      ["3", 200, 2],
    ]);
    // Page 3 went out only after the window that page 2 emptied had reset.
    expect(api.requests[3].at).toBeGreaterThanOrEqual(api.requests[2].rateLimitReset * 1000);
    expect(result.entity).toMatchObject({ c_rate_limit_waits: 1, c_synced_count: 250, c_pages_fetched: 3 });
    expect(await userRecords(t)).toHaveLength(250);
  });
});

describe("USERDIR credentials", () => {
  let api: MockUserApi;

  beforeAll(async () => {
    api = await startMockUserApi({ userCount: 5 });
  });
  afterAll(() => api?.close());

  it("fails with a clear message on a wrong client secret, never shows the secret, and stores nothing", async () => {
    const wrongSecret = "definitely-wrong-secret-123";
    const t = await runtimeFor(api, { COMIND_SECRET_USERAPI_CLIENT_SECRET: wrongSecret });
    try {
      const result = await t.runtime.run({
        caller: asDeveloper(),
        app: "USERDIR",
        action: "sync_users",
        values: { title: "sync" },
      });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe("logic_error");
      expect(result.error.message).toBe(
        "User API rejected the client credentials (HTTP 401, authentication_failed: Invalid client credentials). Check COMIND_SECRET_USERAPI_CLIENT_ID and COMIND_SECRET_USERAPI_CLIENT_SECRET.",
      );
      expect(JSON.stringify(result)).not.toContain(wrongSecret);
      expect(api.requests.filter((r) => r.path === "/api/v1/users")).toHaveLength(0);
      expect(await t.store.findRecords({ workspace: "DEMO", app: "USERDIR" })).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it("names the missing secrets when they are not configured", async () => {
    const t = await startRuntime({ allowHosts: ["127.0.0.1"], secrets: {} });
    try {
      await t.runtime.loadApp(APP_DIR);
      const result = await t.runtime.run({ caller: asDeveloper(), app: "USERDIR", action: "sync_users" });
      expect(!result.ok && result.error.message).toMatch(
        /^Missing User API credentials\. Configure COMIND_SECRET_USERAPI_CLIENT_ID/,
      );
      expect(await t.store.findRecords({ workspace: "DEMO", app: "USERDIR" })).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});

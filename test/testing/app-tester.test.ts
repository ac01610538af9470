import { afterEach, describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { createAppTester, type AppTester } from "../../runtime/testing/index.ts";

// The kit app developers use: seed 001's app, its CRM answered by an undici MockAgent.
const CRM = "https://crm.example.com";
const SECRETS = { COMIND_SECRET_CRM_API_KEY: "test-key", COMIND_SECRET_CRM_BASE_URL: CRM };
let tester: AppTester | null = null;
afterEach(async () => {
  await tester?.close();
  tester = null;
});

function crmReturning(contacts: object[]) {
  const http = new MockAgent();
  http.disableNetConnect();
  http
    .get(CRM)
    .intercept({
      path: (path) => path.startsWith("/api/v2/contacts"),
      method: "GET",
      headers: { "x-api-key": "test-key" },
    })
    .reply(200, { data: contacts })
    .persist();
  return http;
}

describe("createAppTester", () => {
  it("runs seed 001 against a mocked CRM and shows what was imported", async () => {
    const http = crmReturning([
      { id: 7, full_name: "Mock Person", email: "m@example.test", phone: "1", company: "Mock Co" },
    ]);
    tester = await createAppTester("apps/app-crm-contact", { http, secrets: SECRETS });
    const result = await tester.run("sync_contacts");
    expect(result.ok && result.entity.c_last_sync_status).toBe("Synced 1 contacts");
    expect(result.logs.map((l) => l.message)).toEqual([
      "Fetched 1 contacts from CRM",
      "Import complete: 1 created, 0 updated",
    ]);
    expect((await tester.records({ c_external_id: "7" })).map((r) => r.fields.title)).toEqual([
      "Mock Person",
    ]);
    http.assertNoPendingInterceptors();
  });

  it("fails like production when the mocked API refuses", async () => {
    const http = new MockAgent();
    http.disableNetConnect();
    http
      .get(CRM)
      .intercept({ path: (path) => path.startsWith("/api/v2/contacts") })
      .reply(401, "bad key");
    tester = await createAppTester("apps/app-crm-contact", { http, secrets: SECRETS });
    const result = await tester.run("sync_contacts");
    expect(!result.ok && result.error).toMatchObject({
      code: "logic_error",
      message: "CRM API returned 401: bad key",
    });
    expect(await tester.records()).toEqual([]);
  });

  it("keeps the egress policy on: a mocked private address is still refused", async () => {
    const http = crmReturning([]);
    tester = await createAppTester("apps/app-crm-contact", {
      http,
      secrets: { ...SECRETS, COMIND_SECRET_CRM_BASE_URL: "http://10.0.0.8" },
    });
    const result = await tester.run("sync_contacts");
    expect(!result.ok && result.error.code).toBe("egress_denied");
  });
});

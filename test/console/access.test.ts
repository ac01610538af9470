// The console goes through the same per-app access check as the REST API (no browser needed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createToken } from "../../runtime/server/auth.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let outsider: string;

beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe")], { server: { console: true } });
  outsider = await createToken(api.store, { id: "console-outsider" });
  await api.store.directory.saveGroup("probe-team");
  await api.store.directory.addGroupMember("probe-team", "alice");
  await api.store.directory.grant({
    workspace: "DEMO",
    app: "PROBE",
    group: "probe-team",
    permission: "read",
  });
});
afterAll(() => api.close());

const page = (url: string, token: string) =>
  api.server.inject({ method: "GET", url, cookies: { comind_console: `CMW_AUTH_CODE ${token}` } });

describe("console access", () => {
  it("shows an app's records only to users who may read them", async () => {
    expect((await page("/console/apps/PROBE/records", api.token)).statusCode).toBe(200);
    const refused = await page("/console/apps/PROBE/records", outsider);
    expect(refused.statusCode).toBe(404);
    expect(refused.body).toMatch(/not available to you/);
    expect((await page("/console/records", outsider)).body).not.toMatch(/PROBE/);
    expect((await page("/console/records", api.token)).body).toMatch(/PROBE/);
  });
});

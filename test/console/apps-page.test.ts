/**
 * The console's Apps page (server-rendered, read without a browser): an app's schedules and
 * webhooks from settings/index.ts, and, for admins, an app folder that failed to build with its error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/index.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let cookie: string;

beforeAll(async () => {
  const scheduled = writeTempApp({
    "settings/index.ts": `export default { vars: {}, schedules: [{ action: "go", cron: "0 */5 * * * *", records: 'c_text="x"' }], webhooks: [{ action: "go", secret: "COMIND_SECRET_HOOK" }] };\n`,
  });
  api = await startApi([scheduled], { server: { console: true } });
  const broken = writeTempApp(
    { "actions/logic/index.ts": "export default { go() { return ( } };\n" },
    { alias: "BROKEN" },
  );
  await expect(api.runtime.loadApp(broken)).rejects.toThrow();
  const token = await createToken(api.store, { id: "root", name: "Root", isAdmin: true });
  const login = await api.server.inject({
    method: "POST",
    url: "/console/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: `token=${token}`,
  });
  expect(login.statusCode).toBe(303);
  cookie = String(login.headers["set-cookie"]).split(";")[0];
});
afterAll(async () => {
  await api.close();
  removeTempApps();
});

describe("console Apps page", () => {
  it("shows schedules and webhooks, and an app that failed to build with file and line", async () => {
    const page = await api.server.inject({ method: "GET", url: "/console/apps", headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain("0 */5 * * * *");
    expect(html).toContain("on records <code>c_text=&quot;x&quot;</code>");
    expect(html).toContain("POST /api/hooks/DEMO/TEMP/go");
    expect(html).toMatch(/build failed/);
    expect(html).toMatch(/actions\/logic\/index\.ts:1/);
  });
});

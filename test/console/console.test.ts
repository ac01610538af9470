/**
 * The run console end to end in headless Chromium (Debian's chromium, driven by playwright-core):
 * sign in, apps, a record's action buttons, runs appearing live, a run's logs, diff and stack, an
 * invalid rlx filter, health, and what a non-admin may see. Screenshots of each page go to
 * test/console/__screenshots__/ (or $CONSOLE_SCREENSHOTS, e.g. docs/console for docs/console.md).
 */
import { launchChromium } from "../helpers/browser.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/auth.ts";
import { EXAMPLE_APPS, FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? join(import.meta.dirname, "__screenshots__");

let api: TestServerApi;
let base: string;
let browser: Browser;
let adminToken: string;
let admin: BrowserContext;
let page: Page;

const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function signIn(context: BrowserContext, token: string): Promise<Page> {
  const p = await context.newPage();
  await p.goto(`${base}/console`);
  await p.getByLabel("API token").fill(token);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(/\/console\/runs/);
  return p;
}

async function addRecord(
  values: Record<string, unknown>,
  auth = { authorization: `CMW_AUTH_CODE ${adminToken}` },
) {
  const res = await api.post(
    "/api/tickets/multi",
    [{ transition: "add", app_alias: "PROBE", ...values }],
    auth,
  );
  const [item] = res.json();
  expect(item.successful).toBe(true);
  return item.data as { id: string; number: number };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  api = await startApi([join(FIXTURE_APPS, "app-probe"), join(EXAMPLE_APPS, "app-crm-contact")], {
    server: { console: true },
  });
  adminToken = await createToken(api.store, { id: "root", name: "Root Admin", isAdmin: true });
  base = (await api.server.listen({ port: 0, host: "127.0.0.1" })).replace(/\/$/, "");
  browser = await launchChromium();
  admin = await browser.newContext({ viewport: { width: 1200, height: 800 } });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("run console in a browser", () => {
  it("asks for a token, refuses a wrong one, and keeps a good one in an HttpOnly SameSite=Strict cookie", async () => {
    const p = await admin.newPage();
    await p.goto(`${base}/console/apps`);
    await expect.poll(() => p.url()).toMatch(/\/console\/login\?next=/);
    await expect(p.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
    await shot(p, "01-sign-in");
    await p.getByLabel("API token").fill("cmw_wrong");
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect(p.getByRole("alert").textContent()).resolves.toMatch(/not valid/);
    await p.getByLabel("API token").fill(adminToken);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.waitForURL(/\/console\/apps$/);
    const [cookie] = (await admin.cookies()).filter((c) => c.name === "comind_console");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    page = p;
  });

  it("lists the installed apps with actions, fields and declared secrets (set or missing, never values)", async () => {
    await page.goto(`${base}/console/apps`);
    const probe = page.locator("#app-PROBE");
    await expect(probe.getByRole("heading").textContent()).resolves.toMatch(/PROBE/);
    const contact = page.locator("#app-CONTACT");
    await expect(contact.textContent()).resolves.toMatch(/COMIND_SECRET_CRM_API_KEY\s*missing/);
    await expect(contact.textContent()).resolves.toMatch(/sync_contacts/);
    await shot(page, "02-apps");
  });

  it("shows an invalid rlx filter's error at its position, and filters with a valid one", async () => {
    const record = await addRecord({ title: "Findable", c_note: "needle" });
    await page.goto(`${base}/console/apps/PROBE/records`);
    await page.getByLabel(/Filter \(rlx/).fill('c_note="needle" AND (');
    await page.getByRole("button", { name: "Filter" }).click();
    const error = page.locator("#rlx-error");
    await expect(error.textContent()).resolves.toMatch(/Invalid rlx filter at position \d+/);
    const pointer = (await error.locator("pre").textContent())!.split("\n");
    expect(pointer[0]).toBe('c_note="needle" AND (');
    expect(pointer[1]).toMatch(/^ +\^$/);
    await shot(page, "03-records-rlx-error");
    await page.getByLabel(/Filter \(rlx/).fill('c_note="needle"');
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.locator("#records tbody tr").count()).resolves.toBe(1);
    await expect(page.locator("#records tbody").textContent()).resolves.toMatch(
      new RegExp(`#${record.number}`),
    );
    await shot(page, "04-records");
  });

  it("runs an action from a record page and opens the run with its logs and field diff", async () => {
    const record = await addRecord({ title: "Counter" });
    await page.goto(`${base}/console/records/${record.id}`);
    await expect(page.locator("#fields").textContent()).resolves.toMatch(/c_count/);
    await shot(page, "05-record");
    await page.getByRole("button", { name: "increment", exact: true }).click();
    await page.waitForURL(/\/console\/runs\/[0-9a-f-]{36}\?ran=ok/);
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/You ran increment: it succeeded/);
    await expect(page.locator("#logs").textContent()).resolves.toMatch(/count is now 1/);
    await expect(page.locator("#diff").textContent()).resolves.toMatch(/c_count\s*1/);
    await shot(page, "06-run");
    const stored = await api.store.getRecord("DEMO", record.id);
    expect(stored!.fields.c_count).toBe(1);
  });

  it("shows a failing run's code, message and TypeScript stack, and re-runs it (admins)", async () => {
    const record = await addRecord({ title: "Will fail" });
    await page.goto(`${base}/console/records/${record.id}`);
    await page.getByRole("button", { name: "throw_custom", exact: true }).click();
    await page.waitForURL(/\/console\/runs\/[0-9a-f-]{36}\?ran=failed/);
    await expect(page.locator("#error-code").textContent()).resolves.toBe("logic_error");
    await expect(page.locator("#error-message").textContent()).resolves.toBe("custom failure");
    await expect(page.locator("#error-stack").textContent()).resolves.toMatch(
      /actions\/logic\/index\.ts:\d+/,
    );
    await expect(page.locator("#diff-heading + p").textContent()).resolves.toMatch(/writes nothing/);
    await shot(page, "07-run-failed");
    const firstRun = page.url();
    await page.getByRole("button", { name: /Re-run throw_custom/ }).click();
    await page.waitForURL(
      (url) => /ran=failed/.test(url.href) && url.href.split("?")[0] !== firstRun.split("?")[0],
    );
    await expect(page.locator("#error-message").textContent()).resolves.toBe("custom failure");
  });

  it("shows new runs in the runs list without a reload, filtered by app and outcome", async () => {
    await page.goto(`${base}/console/runs?app=PROBE&outcome=ok`);
    const before = await page.locator("#runs-table tbody tr").count();
    const record = await addRecord({ title: "Live" });
    const res = await api.post("/api/tickets/multi", [{ id: record.id, transition: "increment" }], {
      authorization: `CMW_AUTH_CODE ${adminToken}`,
    });
    expect(res.json()[0].successful).toBe(true);
    const failing = await api.post("/api/tickets/multi", [{ id: record.id, transition: "throw_custom" }], {
      authorization: `CMW_AUTH_CODE ${adminToken}`,
    });
    expect(failing.json().results[0].successful).toBe(false);
    await page.locator("#runs-table tbody tr", { hasText: "increment" }).first().waitFor();
    await expect
      .poll(() => page.locator("#runs-table tbody tr").count(), { timeout: 20_000 })
      .toBe(before + 2);
    await expect(page.locator("#runs-table tbody").textContent()).resolves.not.toMatch(/throw_custom/);
    await shot(page, "08-runs");
  });

  it("shows health: workers or in-process isolates, warm isolates per app, limits; refreshed live", async () => {
    await page.goto(`${base}/console/health`);
    await expect(page.locator("#isolates").textContent()).resolves.toMatch(/PROBE/);
    await expect(page.locator("#limits").textContent()).resolves.toMatch(/CPU time of one action/);
    await expect
      .poll(() => page.locator("#health-status").textContent(), { timeout: 20_000 })
      .toMatch(/Refreshed at/);
    await shot(page, "09-health");
  });

  it("works at 360 px wide without horizontal page scrolling", async () => {
    const narrow = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const p = await signIn(narrow, adminToken);
    for (const path of ["/console/runs", "/console/apps", "/console/health"]) {
      await p.goto(`${base}${path}`);
      // Evaluated in the page (a string, so the test's own types need no DOM library).
      expect(await p.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    }
    await p.goto(`${base}/console/runs`);
    await shot(p, "10-runs-360px");
    await narrow.close();
  });

  it("shows a non-admin only their own runs and no health page", async () => {
    const mine = await addRecord({ title: "Alice's" }, api.auth);
    await api.post("/api/tickets/multi", [{ id: mine.id, transition: "increment" }], api.auth);
    const context = await browser.newContext();
    const p = await signIn(context, api.token);
    const users = await p.locator("#runs-table tbody tr td:nth-child(5)").allTextContents();
    expect(users.length).toBeGreaterThan(0);
    expect(new Set(users)).toEqual(new Set(["alice"]));
    await expect(p.getByRole("link", { name: "Health" }).count()).resolves.toBe(0);
    const health = await p.goto(`${base}/console/health`);
    expect(health!.status()).toBe(403);
    const adminRun = (await api.store.listRuns({ workspace: "DEMO", actor: "root", limit: 1 }))[0];
    expect((await p.goto(`${base}/console/runs/${adminRun.id}`))!.status()).toBe(404);
    await context.close();
  });

  it("signs out: the cookie is gone and pages ask for the token again", async () => {
    await page.goto(`${base}/console/runs`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console\/login/);
    expect((await admin.cookies()).some((c) => c.name === "comind_console")).toBe(false);
    await page.goto(`${base}/console/runs`);
    await expect.poll(() => page.url()).toMatch(/\/console\/login/);
  });
});

describe("run console without a browser", () => {
  it("refuses forms posted from another origin", async () => {
    const res = await api.server.inject({
      method: "POST",
      url: "/console/login",
      headers: { origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" },
      payload: `token=${adminToken}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("does not redirect to another site after sign-in", async () => {
    const res = await api.server.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `token=${adminToken}&next=${encodeURIComponent("//evil.example/x")}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/console/runs");
  });

  it("is not served unless enabled", async () => {
    const off = await startApi([join(FIXTURE_APPS, "app-probe")]);
    const res = await off.server.inject({ method: "GET", url: "/console/login", headers: off.auth });
    expect(res.statusCode).toBe(404);
    await off.close();
  });
});

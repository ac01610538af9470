/**
 * The console's rough edges, in headless Chromium: a failed `add` links to no record and is
 * re-run as a new record with the values it was sent; /favicon.ico is served to anyone; the
 * Health page aligns its figures under their headers, names limits in words and shows units; the
 * Runs table at 360 px cuts off no column and breaks no word.
 */
import { launchChromium } from "../helpers/browser.ts";
import { multiItems } from "../helpers/multi-items.ts";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/auth.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? join(import.meta.dirname, "__screenshots__");

let api: TestServerApi;
let base: string;
let browser: Browser;
let adminToken: string;

/** PICKY's `add` logs what it got and refuses "boom" until a record titled "gate" exists. */
const PICKY_LOGIC = `import { entity } from "#typings";
import { ComindServer } from "@comind/api/server";
export default {
  add() {
    console.log("adding " + entity.c_text);
    if (entity.c_text === "boom" && ComindServer.queryAppRecords("PICKY", 'title="gate"').length === 0)
      throw new Error("no gate record yet");
  },
  a_rather_long_action_name_to_wrap() {
    throw new Error("always");
  },
};
`;

const adminAuth = () => ({ authorization: `CMW_AUTH_CODE ${adminToken}` });

async function multi(item: Record<string, unknown>) {
  const [answer] = multiItems((await api.post("/api/tickets/multi", [item], adminAuth())).json());
  return answer as { successful: boolean; data: { id: string } | null; error?: { code: string } };
}

/** The newest failed run of PICKY (a synchronous item's answer carries no run id). */
async function lastFailedRun(): Promise<string> {
  const [run] = await api.store.listRuns({ workspace: "DEMO", app: "PICKY", failedOnly: true, limit: 1 });
  return run.id;
}

/** A page signed in as the admin, in a browser context of its own. */
async function signIn(viewport = { width: 1200, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const p = await context.newPage();
  await p.goto(`${base}/console/login`);
  await p.getByLabel("API token").fill(adminToken);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(/\/console\/runs/);
  return p;
}

/** Evaluated in the page (a string, so the test's own types need no DOM library). */
const inPage = <T>(p: Page, script: string) => p.evaluate(script) as Promise<T>;

beforeAll(async () => {
  const picky = writeTempApp(
    {
      "actions/index.ts":
        'export default [{ uid: "a_rather_long_action_name_to_wrap", caption: "Long" }] as const;\n',
      "actions/logic/index.ts": PICKY_LOGIC,
    },
    { alias: "PICKY" },
  );
  api = await startApi([picky], { server: { console: true } });
  adminToken = await createToken(api.store, { id: "root", name: "Root Admin", isAdmin: true });
  base = (await api.server.listen({ port: 0, host: "127.0.0.1" })).replace(/\/$/, "");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  removeTempApps();
});

describe("console papercuts", () => {
  it("shows no link for a record a failed add never created, and re-runs it as a new record with its values", async () => {
    const failed = await multi({ transition: "add", app_alias: "PICKY", title: "first", c_text: "boom" });
    expect(failed).toMatchObject({ successful: false, error: { code: "logic_error" } });
    const runId = await lastFailedRun();
    const page = await signIn();
    await page.goto(`${base}/console/runs/${runId}`);
    await expect(page.locator("#run-record").textContent()).resolves.toMatch(/not created/);
    await expect(page.locator("#run-record a").count()).resolves.toBe(0);
    // A real heap figure, also for the first run of a new isolate.
    await expect(page.locator("#run-heap").textContent()).resolves.toMatch(/^\d+(\.\d)? (KB|MB)$/);
    await page.screenshot({ path: join(SHOTS, "13-run-not-created.png"), fullPage: true });

    // Still failing (no gate yet): a new run of add with the same values, not a not_found.
    await page.getByRole("button", { name: "Re-run add as a new record" }).click();
    await page.waitForURL((url) => /ran=failed/.test(url.href) && !url.href.includes(runId));
    await expect(page.locator("#error-code").textContent()).resolves.toBe("logic_error");
    await expect(page.locator("#logs").textContent()).resolves.toMatch(/adding boom/);

    expect((await multi({ transition: "add", app_alias: "PICKY", title: "gate" })).successful).toBe(true);
    await page.goto(`${base}/console/runs/${runId}`);
    await page.getByRole("button", { name: "Re-run add as a new record" }).click();
    await page.waitForURL(/ran=ok/);
    await page.locator("#run-record a").click();
    await page.waitForURL(/\/console\/records\//);
    await expect(page.locator("#fields").textContent()).resolves.toMatch(/c_text\s*boom/);
    await expect(page.locator("#fields").textContent()).resolves.toMatch(/title\s*first/);
    await page.context().close();
  });

  it("serves /favicon.ico to anyone, so no page load asks for it in vain", async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    const refused: string[] = [];
    p.on("response", (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
    });
    await p.goto(`${base}/console/login`);
    const icon = await p.goto(`${base}/favicon.ico`);
    expect(icon!.status()).toBe(200);
    expect(icon!.headers()["content-type"]).toBe("image/x-icon");
    expect((await icon!.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect(refused).toEqual([]);
    await context.close();
  });

  it("shows health figures under their headers, limits in words and with units", async () => {
    const page = await signIn();
    await page.goto(`${base}/console/health`);
    await page.locator("#isolates").waitFor();
    // Each header's right edge lines up with the right edge of its column's figures.
    const misaligned = await inPage<string[]>(
      page,
      `[...document.querySelectorAll("#health table")].flatMap((table) => {
        const heads = [...table.tHead.rows[0].cells];
        return [...table.tBodies[0].rows].flatMap((row) => [...row.cells].flatMap((cell, i) => {
          const head = heads[i].getBoundingClientRect(), own = cell.getBoundingClientRect();
          const headText = getComputedStyle(heads[i]).textAlign, cellText = getComputedStyle(cell).textAlign;
          return headText === cellText ? [] : [table.id + ": " + heads[i].textContent + " " + headText + " over " + cellText];
        }));
      })`,
    );
    expect(misaligned).toEqual([]);
    const limits = await page.locator("#limits tbody tr").allTextContents();
    expect(limits.join("\n")).toMatch(/CPU time of one action\s*5 s/);
    expect(limits.join("\n")).toMatch(/Response body kept in memory\s*10 MB/);
    for (const row of limits) {
      expect(row).not.toMatch(/[a-z][A-Z]/); // no camelCase names
      expect(row).not.toMatch(/\d{4,}/); // no raw bytes or milliseconds
    }
    const heaps = await page.locator("#isolates tbody td:nth-child(3)").allTextContents();
    expect(heaps.length).toBeGreaterThan(0);
    for (const heap of heaps) expect(heap).toMatch(/^\d+(\.\d)? (KB|MB)$/);
    await page.screenshot({ path: join(SHOTS, "11-health-units.png"), fullPage: true });
    await page.context().close();
  });

  it("fits the Runs table into 360 px: no column cut off, no word broken", async () => {
    for (let i = 0; i < 3; i++)
      await multi({
        transition: "a_rather_long_action_name_to_wrap",
        id: (await multi({ transition: "add", app_alias: "PICKY", title: `r${i}` })).data!.id,
      });
    const page = await signIn({ width: 360, height: 740 });
    await page.goto(`${base}/console/runs`);
    await page.locator("#runs-table tbody tr").first().waitFor();
    expect(await inPage<number>(page, "document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    const scroller = await inPage<{ scroll: number; client: number }>(
      page,
      `(() => { const s = document.getElementById("runs-table").parentElement; return { scroll: s.scrollWidth, client: s.clientWidth }; })()`,
    );
    expect(scroller.scroll).toBeLessThanOrEqual(scroller.client);
    const problems = await inPage<string[]>(
      page,
      `[...document.querySelectorAll("#runs-table tbody td")].flatMap((cell) => {
        const box = cell.getBoundingClientRect();
        const out = box.right > document.documentElement.clientWidth + 0.5 || box.left < 0 ? ["clipped: " + cell.textContent.trim()] : [];
        // An inline element whose one word wraps has more than one line box.
        const broken = [...cell.querySelectorAll("a, code, .badge")]
          .filter((el) => !/\\s/.test(el.textContent.trim()) && el.getClientRects().length > 1)
          .map((el) => "broken: " + el.textContent.trim());
        return [...out, ...broken];
      })`,
    );
    expect(problems).toEqual([]);
    // Each value says what it is, since the header row is out of sight.
    const labels = await inPage<string[]>(
      page,
      `[...document.querySelectorAll("#runs-table tbody tr:first-child td:not(:first-child)")].map((td) => getComputedStyle(td, "::before").content)`,
    );
    expect(labels).toEqual(['"App "', '"Action "', '"Outcome "', '"User "', '"Duration "']);
    await page.screenshot({ path: join(SHOTS, "12-runs-360px.png"), fullPage: true });
    await page.context().close();
  });
});

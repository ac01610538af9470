/** Queue settings are checked when an app is built: cron syntax, actions, records filters, retries. */
import { afterAll, describe, expect, it } from "vitest";
import { loadApp } from "../../runtime/actions/app-loader.ts";
import { backoffMs, parseQueueSettings } from "../../runtime/queue/index.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const actions = new Set(["add", "edit", "delete", "go"]);
const parse = (raw: unknown) => parseQueueSettings(raw, "TEMP", actions);

afterAll(removeTempApps);

describe("queue settings", () => {
  it("accepts 5-field and 6-field (seconds) cron, rlx record filters and backfill", () => {
    const settings = parse({
      schedules: [
        { action: "go", cron: "*/5 * * * *" },
        { action: "go", cron: "*/1 * * * * *", records: 'state="open"', backfill: true },
      ],
    });
    expect(settings.schedules).toMatchObject([
      { action: "go", cron: "*/5 * * * *", records: "new", backfill: false },
      { action: "go", cron: "*/1 * * * * *", records: 'state="open"', backfill: true },
    ]);
    expect(new Set(settings.schedules.map((s) => s.id)).size).toBe(2);
  });

  it.each([
    [{ schedules: [{ action: "go", cron: "every minute" }] }, "is not valid"],
    [{ schedules: [{ action: "go", cron: "61 * * * *" }] }, "is not valid"],
    [{ schedules: [{ action: "nope", cron: "* * * * *" }] }, "is not an action"],
    [{ schedules: [{ action: "go", cron: "* * * * *", records: 'state="open' }] }, "not valid rlx"],
    [{ schedules: [{ action: "go", cron: "* * * * *", backfill: "yes" }] }, "backfill"],
    [{ schedules: { action: "go" } }, "must be an array"],
    [{ webhooks: [{ action: "go", secret: "API_KEY" }] }, "COMIND_SECRET_"],
    [{ retries: { maxAttempts: 0 } }, "retries.maxAttempts"],
  ])("refuses %j", (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
    try {
      parse(raw);
    } catch (error) {
      expect((error as { code: string }).code).toBe("app_invalid");
    }
  });

  // These were ignored before the settings had a schema: a typo silently kept the default.
  it.each([
    [
      { schedules: [{ action: "go", cron: "* * * * *", backfil: true }] },
      "App TEMP: settings/index.ts schedules[0].backfil is not a known setting; use action, cron, records, backfill.",
    ],
    [
      { retries: { maxAttempt: 3 } },
      "App TEMP: settings/index.ts retries.maxAttempt is not a known setting; use maxAttempts, backoffMs, maxBackoffMs.",
    ],
    [
      { webhooks: [{ action: "go", secret: "COMIND_SECRET_X", secrets: "COMIND_SECRET_Y" }] },
      "webhooks[0].secrets is not a known setting",
    ],
    [
      { retries: { maxAttempts: 3.5 } },
      "App TEMP: settings/index.ts retries.maxAttempts must be a whole number from 1 to 100, got 3.5.",
    ],
    [{ vars: "x" }, 'App TEMP: settings/index.ts vars must be an object of values, got "x".'],
  ])("refuses %j, naming the setting (it used to be ignored)", (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it("defaults and exponential backoff with a cap", () => {
    const { retries } = parse({});
    expect(retries).toEqual({ maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 3_600_000 });
    const custom = parse({ retries: { maxAttempts: 3, backoffMs: 100, maxBackoffMs: 500 } }).retries;
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(custom, attempt))).toEqual([100, 200, 400, 500, 500]);
  });

  it("fails the app's build on a bad cron", async () => {
    const dir = writeTempApp({
      "settings/index.ts":
        'export default { vars: {}, schedules: [{ action: "go", cron: "*/61 * * * *" }] };\n',
    });
    await expect(loadApp(dir, 64)).rejects.toMatchObject({ code: "app_invalid" });
    const good = writeTempApp({
      "settings/index.ts":
        'export default { vars: { a: 1 }, schedules: [{ action: "go", cron: "0 0 2 * * *" }] };\n',
    });
    const notAnObject = writeTempApp({ "settings/index.ts": 'export default { vars: "debug" };\n' });
    await expect(loadApp(notAnObject, 64)).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringContaining("settings/index.ts vars must be an object of values"),
    });
    const app = await loadApp(good, 64);
    expect(app.queue.schedules[0]).toMatchObject({ action: "go", cron: "0 0 2 * * *" });
    expect(app.manifest.vars).toEqual({ a: 1 });
  });
});

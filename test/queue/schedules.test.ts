/**
 * Schedules: a 1-second schedule on two Postgres nodes runs once per tick (never twice), every
 * tick of the window; records filters run the action on each matching record; missed ticks after
 * downtime are run once (backfill) or reported.
 */
import { afterAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { RunDoc } from "../../runtime/queue/index.ts";
import { POSTGRES, SQLITE } from "../helpers/engines.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { graphileSchemaOf, startNodeOn, waitFor } from "./harness.ts";

afterAll(removeTempApps);

const appWith = (schedules: object[]) =>
  writeTempApp({
    "settings/index.ts": `export default { vars: {}, schedules: ${JSON.stringify(schedules)} };\n`,
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("schedules", () => {
  it("runs a 1-second schedule once per tick on two nodes for 10 seconds", async () => {
    const { options, cleanup } = await POSTGRES.create();
    const app = appWith([{ action: "go", cron: "* * * * * *" }]);
    const nodes = [await startNodeOn(options, [app]), await startNodeOn(options, [app])];
    const from = Date.now();
    try {
      await sleep(10_000);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
    }
    const until = Date.now();
    const reader = await startNodeOn(options, []);
    try {
      const runs: RunDoc[] = await reader.queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 1000 });
      const ticks = runs.map((run) => run.tick!);
      expect(new Set(ticks).size).toBe(ticks.length); // never two runs for one tick
      const inWindow = ticks.filter((tick) => Date.parse(tick) > from && Date.parse(tick) <= until);
      const expected = Math.floor(until / 1000) - Math.floor(from / 1000);
      expect(Math.abs(inWindow.length - expected)).toBeLessThanOrEqual(1);
      expect(expected).toBeGreaterThanOrEqual(10);
      expect(runs.every((run) => run.source === "schedule")).toBe(true);
    } finally {
      await reader.close();
      const { default: pg } = await import("pg");
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${graphileSchemaOf(options)} CASCADE`);
      await admin.end();
      await cleanup();
    }
  }, 90_000);

  it("runs the action on each record the rlx filter matches (SQLite)", async () => {
    const { options, cleanup } = await SQLITE.create();
    const app = appWith([{ action: "go", cron: "*/2 * * * * *", records: 'c_text="pick me"' }]);
    const seed = await startNodeOn(options, [app]);
    const picked: string[] = [];
    for (const text of ["pick me", "pick me", "leave me"]) {
      const result = await seed.runtime.run({
        caller: asDeveloper(),
        app: "TEMP",
        action: "add",
        values: { c_text: text },
      });
      if (result.ok && text === "pick me") picked.push(result.recordId);
    }
    try {
      const runs = await waitFor(async () => {
        const list = await seed.queue.listRuns({
          workspace: "DEMO",
          app: "TEMP",
          status: "succeeded",
          limit: 1000,
        });
        const byTick = new Map<string, RunDoc[]>();
        for (const run of list) byTick.set(run.tick!, [...(byTick.get(run.tick!) ?? []), run]);
        return [...byTick.values()].find((group) => group.length === 2);
      }, 90_000);
      expect(runs.map((run) => run.recordId).sort()).toEqual([...picked].sort());
    } finally {
      await seed.close();
      await cleanup();
    }
  }, 120_000);

  it("after downtime runs the latest missed tick once with backfill, and only reports it without", async () => {
    const { options, cleanup } = await SQLITE.create();
    const hourly = (backfill: boolean) => appWith([{ action: "go", cron: "0 0 * * * *", backfill }]);
    const withBackfill = hourly(true);
    const first = await startNodeOn(options, [withBackfill]);
    const scheduleId = first.runtime.apps.get("TEMP")!.queue.schedules[0].id;
    const threeHoursAgo = new Date(
      Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000,
    ).toISOString();
    // Pretend a node last ran this schedule three hours ago.
    expect((await first.queue.addTick(scheduleId, threeHoursAgo, [])).claimed).toBe(true);
    await first.close();
    try {
      const backfilled = await startNodeOn(options, [withBackfill]);
      const latest = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
      const run = await waitFor(async () => {
        const list = await backfilled.queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 100 });
        return list.find((entry) => entry.status === "succeeded");
      }, 30_000);
      expect(run.tick).toBe(latest);
      expect(await backfilled.queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 100 })).toHaveLength(1);
      await backfilled.close();

      const { options: other, cleanup: cleanOther } = await SQLITE.create();
      try {
        const noBackfill = hourly(false);
        const setup = await startNodeOn(other, [noBackfill]);
        const id = setup.runtime.apps.get("TEMP")!.queue.schedules[0].id;
        await setup.queue.addTick(id, threeHoursAgo, []);
        await setup.close();
        const reporter = await startNodeOn(other, [noBackfill]);
        const warning = await waitFor(
          async () => reporter.errors.find((line) => line.includes("missed")),
          30_000,
        );
        expect(warning).toContain('"missed":3');
        expect(await reporter.queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 100 })).toHaveLength(0);
        await reporter.close();
      } finally {
        await cleanOther();
      }
    } finally {
      await cleanup();
    }
  }, 60_000);
});

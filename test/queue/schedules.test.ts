/**
 * Schedules: a 1-second schedule on two nodes runs once per tick (never twice), every tick of the
 * window; records filters run the action on each matching record; missed ticks after downtime are
 * run once (backfill) or reported. Ticks are driven by a fake clock (fake-clock.ts), not by sleeping.
 */
import { afterAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { RunDoc } from "../../runtime/queue/index.ts";
import { POSTGRES, SQLITE } from "../helpers/engines.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { FakeClock } from "./fake-clock.ts";
import { dropSchema, graphileSchemaOf, startNodeOn, waitFor } from "./harness.ts";

afterAll(removeTempApps);

const appWith = (schedules: object[]) =>
  writeTempApp({
    "settings/index.ts": `export default { vars: {}, schedules: ${JSON.stringify(schedules)} };\n`,
  });

/** A fixed start half a second past a second: the first 1-second tick is 500 ms away. */
const START = Date.parse("2030-01-01T00:00:00.500Z");
const secondsAfterStart = (n: number) =>
  new Date(Date.parse("2030-01-01T00:00:00.000Z") + n * 1000).toISOString();

describe("schedules", () => {
  // The tick claim itself is the queue contract's (both engines); this drives whole schedulers.
  it.each([
    ["SQLite", SQLITE],
    ["Postgres", POSTGRES],
  ] as const)(
    "runs a 1-second schedule once per tick on two nodes for 10 ticks (%s, fake clock)",
    async (_name, engine) => {
      const { options, cleanup } = await engine.create();
      const app = appWith([{ action: "go", cron: "* * * * * *" }]);
      const clock = new FakeClock(START);
      const nodes = [
        await startNodeOn(options, [app], { clock }),
        await startNodeOn(options, [app], { clock }),
      ];
      try {
        await clock.whenTimers(2); // both schedulers are walking
        await clock.advanceTo(START + 10_000);
        const runs: RunDoc[] = await nodes[0].queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 1000 });
        // Every tick of the 10 seconds, each exactly once across the two nodes.
        expect(runs.map((run) => run.tick!).sort()).toEqual(
          Array.from({ length: 10 }, (_, i) => secondsAfterStart(i + 1)),
        );
        expect(runs.every((run) => run.source === "schedule" && run.actor === "system:schedule")).toBe(true);
        expect(await nodes[1].queue.lastTick(nodes[1].runtime.apps.get("TEMP")!.queue.schedules[0].id)).toBe(
          secondsAfterStart(10),
        );
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
        if (options.schema) await dropSchema(options.databaseUrl!, graphileSchemaOf(options)!);
        await cleanup();
      }
    },
    60_000,
  );

  it("runs the action on each record the rlx filter matches (SQLite, fake clock)", async () => {
    const { options, cleanup } = await SQLITE.create();
    const app = appWith([{ action: "go", cron: "*/2 * * * * *", records: 'c_text="pick me"' }]);
    const clock = new FakeClock(START);
    const seed = await startNodeOn(options, [app], { clock });
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
      await clock.whenTimers(1);
      await clock.advanceTo(START + 2_000); // one tick: 00:00:02
      const runs = await waitFor(async () => {
        const list = await seed.queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 1000 });
        return list.length === 2 && list.every((run) => run.status === "succeeded") ? list : undefined;
      });
      expect(runs.map((run) => run.tick)).toEqual([secondsAfterStart(2), secondsAfterStart(2)]);
      expect(runs.map((run) => run.recordId).sort()).toEqual([...picked].sort());
    } finally {
      await seed.close();
      await cleanup();
    }
  });

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
      });
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
  });
});

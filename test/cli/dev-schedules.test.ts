/**
 * `dev` reloads an app's schedules when its settings/index.ts changes: the pieces `dev` wires
 * (the app watcher handing each rebuilt app to the job node), in process with a fake clock. After
 * the save the new schedule fires and the old one never does again.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { watchApps } from "../../runtime/cli/watch-apps.ts";
import { startJobNode } from "../../runtime/jobs/index.ts";
import { openQueue } from "../../runtime/queue/index.ts";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { openStore } from "../../runtime/store/index.ts";
import { FakeClock } from "../queue/fake-clock.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-dev-schedules-"));
afterAll(() => {
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (schedules: object[]) =>
  `export default { vars: {}, schedules: ${JSON.stringify(schedules)} };\n`;

/** Half a second past a second: the first 1-second tick is 500 ms away. */
const START = Date.parse("2030-01-01T00:00:00.500Z");
const at = (seconds: number) =>
  new Date(Date.parse("2030-01-01T00:00:00.000Z") + seconds * 1000).toISOString();

it("a changed schedule in settings/index.ts fires after the save, the old one no more (SQLite, fake clock)", async () => {
  const apps = join(dir, "apps");
  const settingsFile = join(apps, "app-temp", "settings", "index.ts");
  cpSync(
    writeTempApp({
      "actions/index.ts":
        'export default [{ uid: "go", caption: "Go" }, { uid: "other", caption: "Other" }] as const;\n',
      "actions/logic/index.ts": "export default { go() {}, other() {} };\n",
      "settings/index.ts": settings([{ action: "go", cron: "* * * * * *" }]),
    }),
    join(apps, "app-temp"),
    { recursive: true },
  );
  const store = await openStore({ dataDir: join(dir, "data") });
  const runtime = await createActionRuntime({ store, limits: { cpuMs: 1_000 } });
  await runtime.loadAppsFrom(apps);
  const queue = await openQueue(store, { concurrency: 1, pollMs: 100 });
  const clock = new FakeClock(START);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const node = await startJobNode(runtime, queue, quiet, { clock, retentionDays: 0 });
  const rebuilt: object[] = [];
  const stopWatching = await watchApps(
    runtime,
    apps,
    { info: (details) => rebuilt.push(details), error: (details) => rebuilt.push(details) },
    (app) => node.appReloaded(app),
  );
  try {
    await clock.whenTimers(1);
    await clock.advanceTo(START + 2_000); // ticks 1 and 2 of the old schedule
    const before = rebuilt.length;
    writeFileSync(settingsFile, settings([{ action: "other", cron: "*/3 * * * * *" }]));
    await expect
      .poll(() => rebuilt.slice(before), { timeout: 30_000, interval: 50 })
      .toContainEqual({
        app: "TEMP",
        schedules: 1,
      });
    await clock.advanceTo(START + 10_000); // seconds 3 to 10: the new schedule's 3, 6, 9
    const runs = await queue.listRuns({ workspace: "DEMO", app: "TEMP", limit: 100 });
    expect(runs.map((run) => `${run.action}@${run.tick}`).sort()).toEqual(
      [`go@${at(1)}`, `go@${at(2)}`, `other@${at(3)}`, `other@${at(6)}`, `other@${at(9)}`].sort(),
    );
  } finally {
    await stopWatching();
    await node.stop();
    await runtime.close();
    await store.close();
  }
}, 60_000);

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import {
  startLoopbackServer as startServer,
  type LoopbackServer as TestServer,
} from "../helpers/http-test-servers.ts";

// Isolates in worker processes: same behaviour as in-process, and a dead worker costs one action.
let t: TestRuntime;
let midway: TestServer;
let reached: () => void = () => undefined;
const SECRET = "worker-secret-value-99";

beforeAll(async () => {
  midway = await startServer(() => reached());
  t = await startRuntime({
    workers: 2,
    limits: { cpuMs: 500 },
    allowHosts: ["127.0.0.1"],
    secrets: { COMIND_SECRET_PROBE_TOKEN: SECRET },
    onInternalError: () => undefined,
  });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(async () => {
  await t.close();
  await midway.close();
});

const run = (action: string, extra: Record<string, unknown> = {}) =>
  t.runtime.run({ caller: asDeveloper(), app: "PROBE", action, ...extra });

describe("sandbox worker processes", () => {
  it("answer concurrent stats requests each with their own replies", async () => {
    const workers = t.runtime.workers!;
    // Wait until both workers have started (a stats request to a worker still loading times out).
    for (let tries = 0; !(await workers.stats()).every((worker) => worker.rssMb > 0); tries++)
      expect(tries).toBeLessThan(30);
    const answers = await Promise.all([workers.stats(), workers.stats(), workers.stats()]);
    for (const stats of answers) {
      // A reply that went to another request leaves this one to its 2 s fallback with rssMb 0.
      expect(stats.map((worker) => worker.pid)).toEqual(workers.pids());
      expect(stats.every((worker) => worker.rssMb > 0)).toBe(true);
    }
  });

  it("run actions with records, logs, errors and secrets as in-process", async () => {
    const first = await run("increment");
    expect(first.ok && first.entity.c_count).toBe(1);
    expect(first.logs).toEqual([{ level: "log", message: "count is now 1" }]);
    const imported = await run("import_rows", {
      values: { c_data: { rows: [{ c_key: "w1" }, { c_key: "w2" }] } },
    });
    expect(imported.ok && imported.entity.c_note).toBe("2 created, 0 updated");
    const thrown = await run("throw_error");
    expect(!thrown.ok && thrown.error.stack).toMatch(/at throw_error \(actions\/logic\/index\.ts:17:16\)/);
    const leaked = await run("print_secret");
    expect(JSON.stringify(leaked)).not.toContain(SECRET);
    expect(!leaked.ok && leaked.error.message).toBe("leaking ***");
    const loop = await t.runtime.run({ caller: asDeveloper(), app: "PROBE", action: "cpu_loop" });
    expect(!loop.ok && loop.error.code).toBe("timeout");
  });

  it("a worker killed mid-action fails that action with worker_crashed, writes nothing, and is replaced", async () => {
    const before = t.runtime.workers!.pids();
    const hit = new Promise<void>((resolve) => (reached = resolve));
    const pending = run("import_then_hang", { values: { c_note: midway.url } });
    await hit;
    const busy = (await t.runtime.workers!.stats()).find((worker) => worker.running > 0)!;
    process.kill(busy.pid, "SIGKILL");
    const result = await pending;
    expect(!result.ok && result.error.code).toBe("worker_crashed");
    expect(
      await t.store.countRecords({
        workspace: "DEMO",
        app: "PROBE",
        filter: { kind: "contains", field: "c_key", value: "crash-" },
      }),
    ).toBe(0);
    const after = t.runtime.workers!.pids();
    expect(after).not.toContain(busy.pid);
    expect(after.filter((pid) => before.includes(pid))).toHaveLength(1);
    expect(t.runtime.workers!.crashes).toBe(1);
    const again = await run("increment");
    expect(again.ok).toBe(true);
  });

  it("reports heap and CPU of warm isolates per worker", async () => {
    await run("increment");
    const stats = await t.runtime.workers!.stats();
    expect(stats).toHaveLength(2);
    const apps = stats.flatMap((worker) => worker.apps);
    expect(apps.some((app) => app.key.startsWith("PROBE:") && app.isolates >= 1 && app.usedHeapMb > 0)).toBe(
      true,
    );
  });
});

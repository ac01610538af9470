/**
 * The sandbox worker pool under failure: a run that cannot be sent to a worker (values nested too
 * deep for IPC) fails on its own and leaves no stale entry in `running`; a killed worker's place
 * is taken at once by a spare that already booted, so actions never wait for a booting worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({ workers: 1, onInternalError: () => undefined });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
  await t.runtime.workers!.whenReady();
});
afterAll(async () => {
  await t.close();
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { child: value };
  return value;
}

describe("sandbox workers", () => {
  it("fail a run whose values cannot cross to the worker, without a stale running entry", async () => {
    for (let i = 0; i < 3; i++) {
      const result = await t.runtime.run({
        caller: asDeveloper(),
        app: "PROBE",
        action: "increment",
        values: { c_data: nested(5_000) },
      });
      expect(!result.ok && result.error.code).toBe("limit_exceeded");
    }
    const stats = await t.runtime.workers!.stats();
    expect(stats.map((worker) => worker.running)).toEqual([0]);
    const ok = await t.runtime.run({ caller: asDeveloper(), app: "PROBE", action: "increment" });
    expect(ok.ok).toBe(true);
  });

  it("put a booted spare in a killed worker's place at once and boot a new spare", async () => {
    const workers = t.runtime.workers!;
    const [active, spare] = workers.describe();
    expect(spare).toMatchObject({ spare: true, ready: true });
    const exited = new Promise<void>((resolve) => {
      const poll = () => (workers.pids().includes(active.pid) ? setTimeout(poll, 10) : resolve());
      poll();
    });
    process.kill(active.pid, "SIGKILL");
    await exited;
    const [now, newSpare] = workers.describe();
    expect(now).toMatchObject({ pid: spare.pid, ready: true, spare: false });
    expect(newSpare.spare).toBe(true);
    expect(newSpare.pid).not.toBe(active.pid);
    const result = await t.runtime.run({ caller: asDeveloper(), app: "PROBE", action: "increment" });
    expect(result.ok).toBe(true);
    expect(workers.pids()).toEqual([spare.pid]);
  });
});

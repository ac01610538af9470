import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({ limits: { cpuMs: 300, wallMs: 1_500, memoryMb: 32, maxLogBytes: 64 * 1024 } });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(() => t.close());

const run = (action: string, values: Record<string, unknown> = {}) => t.runtime.run({ app: "PROBE", action, values });

/** After any breach the runtime must keep serving the same app. */
async function expectStillWorks() {
  const ok = await run("increment");
  expect(ok.ok).toBe(true);
}

describe("limits", () => {
  it("stops an infinite loop at the CPU limit", async () => {
    const result = await run("cpu_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    expect(!result.ok && result.error.message).toMatch(/CPU/);
    await expectStillWorks();
  });

  it("stops a loop of sleeps at the wall-clock limit (isolated-vm's timeout alone would not)", async () => {
    const result = await run("sleep_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    expect(!result.ok && result.error.message).toMatch(/wall-clock/);
    await expectStillWorks();
  });

  it("stops a tight loop of host calls", async () => {
    const result = await run("host_call_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    await expectStillWorks();
  });

  it("stops a memory bomb at the heap limit and replaces the isolate", async () => {
    const result = await run("memory_bomb");
    expect(!result.ok && result.error.code).toBe("out_of_memory");
    await expectStillWorks();
  });

  it("caps console output and marks the truncation", async () => {
    const result = await run("log_flood");
    expect(result.ok).toBe(true);
    const total = result.logs.reduce((sum, entry) => sum + entry.message.length, 0);
    expect(total).toBeLessThan(64 * 1024 + 200);
    expect(result.logs.at(-1)!.message).toMatch(/console output truncated/);
  });

  it("records a failed run with its error code in the run log", async () => {
    const runs = await t.store.listRuns({ app: "PROBE", failedOnly: true });
    expect(new Set(runs.map((r) => r.errorCode))).toEqual(new Set(["timeout", "out_of_memory"]));
  });
});

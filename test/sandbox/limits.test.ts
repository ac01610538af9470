import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({ limits: { cpuMs: 300, wallMs: 1_500, memoryMb: 32, maxLogBytes: 64 * 1024 } });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(() => t.close());

const run = (action: string, values: Record<string, unknown> = {}) =>
  t.runtime.run({ app: "PROBE", action, values });

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
    // A generous CPU limit so the heap limit, not the CPU limit, is what stops it on a busy machine.
    const roomy = await startRuntime({ limits: { cpuMs: 20_000, wallMs: 30_000, memoryMb: 32 } });
    try {
      await roomy.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
      const result = await roomy.runtime.run({ app: "PROBE", action: "memory_bomb" });
      expect(!result.ok && result.error.code).toBe("out_of_memory");
      const after = await roomy.runtime.run({ app: "PROBE", action: "increment" });
      expect(after.ok).toBe(true);
      const runs = await roomy.store.listRuns({ app: "PROBE", failedOnly: true });
      expect(runs.map((r) => r.errorCode)).toEqual(["out_of_memory"]);
    } finally {
      await roomy.close();
    }
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
    expect(runs.map((r) => r.errorCode)).toEqual(["timeout", "timeout", "timeout"]);
  });
});

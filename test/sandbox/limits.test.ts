import { afterAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import type { SandboxLimits } from "../../runtime/sandbox/index.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

// Every test provokes one limit with the others far out of reach, so that a slow, shared machine
// cannot make a different limit fire first: CPU tests get a wall clock of minutes, wall-clock
// tests cost no CPU, memory tests get CPU to spare. Each test has its own runtime and store.
const ROOMY: Partial<SandboxLimits> = { cpuMs: 60_000, wallMs: 120_000, memoryMb: 32 };
const opened: TestRuntime[] = [];
afterAll(async () => {
  for (const t of opened) await t.close();
});

async function probeRuntime(limits: Partial<SandboxLimits>) {
  const t = await startRuntime({ limits: { ...ROOMY, ...limits } });
  opened.push(t);
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
  const run = (action: string) => t.runtime.run({ caller: asDeveloper(), app: "PROBE", action });
  return {
    t,
    run,
    /** After any breach the runtime must keep serving the same app. */
    async expectStillWorks() {
      expect((await run("increment")).ok).toBe(true);
    },
  };
}

describe("limits", () => {
  it("stops an infinite loop at the CPU limit", async () => {
    const probe = await probeRuntime({ cpuMs: 300 });
    const result = await probe.run("cpu_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    expect(!result.ok && result.error.message).toMatch(/CPU time than its limit of 300 ms/);
    await probe.expectStillWorks();
  });

  it("stops a loop of sleeps at the wall-clock limit (isolated-vm's timeout alone would not)", async () => {
    const probe = await probeRuntime({ wallMs: 1_000 });
    const result = await probe.run("sleep_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    // The logic gets what is left of the 1 s once the record is prepared: "limit of 9xx ms".
    expect(!result.ok && result.error.message).toMatch(/wall-clock limit of \d+ ms/);
    await probe.expectStillWorks();
  });

  it("stops a tight loop of host calls", async () => {
    const probe = await probeRuntime({ wallMs: 1_000 });
    const result = await probe.run("host_call_loop");
    expect(!result.ok && result.error.code).toBe("timeout");
    await probe.expectStillWorks();
  });

  it("stops a memory bomb at the heap limit and replaces the isolate", async () => {
    const probe = await probeRuntime({});
    const result = await probe.run("memory_bomb");
    expect(!result.ok && result.error.code).toBe("out_of_memory");
    await probe.expectStillWorks();
    const runs = await probe.t.store.listRuns({ app: "PROBE", failedOnly: true });
    expect(runs.map((r) => r.errorCode)).toEqual(["out_of_memory"]);
  });

  it("calls a memory bomb that the CPU limit caught out of memory, not a timeout", async () => {
    // 20 ms of CPU is far less than filling a 32 MB heap takes: the CPU limit fires first, and
    // the isolate, at its heap limit soon after, is classified by what really stopped it.
    const probe = await probeRuntime({ cpuMs: 20 });
    const result = await probe.run("memory_bomb");
    expect(!result.ok && result.error.code).toBe("out_of_memory");
    // The same CPU limit still stops plain runaway JavaScript as a timeout.
    const loop = await probe.run("cpu_loop");
    expect(!loop.ok && loop.error.code).toBe("timeout");
    await probe.expectStillWorks();
  });

  it("caps console output and marks the truncation", async () => {
    const probe = await probeRuntime({ maxLogBytes: 64 * 1024 });
    const result = await probe.run("log_flood");
    expect(result.ok).toBe(true);
    const total = result.logs.reduce((sum, entry) => sum + entry.message.length, 0);
    expect(total).toBeLessThan(64 * 1024 + 200);
    expect(result.logs.at(-1)!.message).toMatch(/console output truncated/);
  });

  it("records a failed run with its error code in the run log", async () => {
    const probe = await probeRuntime({ wallMs: 500 });
    await probe.run("sleep_loop");
    await probe.run("increment");
    const failed = await probe.t.store.listRuns({ app: "PROBE", failedOnly: true });
    expect(failed.map((r) => [r.action, r.errorCode])).toEqual([["sleep_loop", "timeout"]]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { caseOutcomes, startStage, type Stage } from "./harness.ts";

// The wall-clock cases of the adversarial suite, on a stage of their own: a wall clock short
// enough to keep the file quick (each case costs it in full) yet long enough for the friendly
// app's actions (and a cold worker's first one) on a loaded machine, and a CPU limit that cannot
// fire first.
let s: Stage;

beforeAll(async () => {
  s = await startStage({ cpuMs: 120_000, wallMs: 5_000, memoryMb: 128 });
});
afterEach(() => {
  expect(s.friendly.failed).toEqual([]);
});
afterAll(async () => {
  expect(s.friendly.ok).toBeGreaterThan(0);
  await s.stop();
});

const { fails } = caseOutcomes(() => s);
const wallTimeout = async (action: string) => {
  const item = await fails(action, "timeout");
  expect(item.error.message).toMatch(/wall-clock limit of \d+ ms/);
  return item;
};

describe("deadlines", () => {
  it("for(;;) sleep(1): the wall-clock deadline fires", async () => wallTimeout("sleep_loop"));
  it("tight loop of host calls: the wall-clock deadline fires", async () => wallTimeout("host_call_loop"));
  it("tight loop of console.log: stopped, output within the cap", async () => {
    // How much a loaded machine logs in 5 s varies; that the cap truncates and marks is the
    // "huge console output" case of adversarial.test.ts.
    const item = await wallTimeout("console_loop");
    const logs: { message: string }[] = item.error.logs;
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.reduce((sum, entry) => sum + entry.message.length, 0)).toBeLessThanOrEqual(1024 * 1024 + 200);
  });
  it("Atomics.wait blocking forever: stopped by the wall clock", async () => wallTimeout("atomics_wait"));
});

/**
 * Isolate memory per sandbox process (IsolatePool's memory budget, `--worker-memory-mb`): the
 * heap limits of running isolates plus the idle ones' heap never exceed it. A run that does not
 * fit evicts idle warm isolates first, else waits for a running one to end, else (at its
 * deadline) fails `resource_exhausted` — the process is never asked to hold more.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { ServerResponse } from "node:http";
import { startLoopbackServer, type LoopbackServer } from "../helpers/http-test-servers.ts";
import { appsWithIsolates, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const HEAP_MB = 32;

// `hold` waits on the test's server until the test answers, so the test decides when it ends.
const HOLD_LOGIC = `
import { entity } from "#typings";
import { RestApi } from "@comind/api/server";
export default {
  go() {
    RestApi.createClient(String(entity.c_text));
    RestApi.createRequest("/hold", "GET");
    RestApi.executeRequest();
    entity.c_text = "done";
  },
};
`;

let server: LoopbackServer;
const held: ServerResponse[] = [];
let dirs: { hold: string; quick: (alias: string) => string };

beforeAll(async () => {
  server = await startLoopbackServer((_req, res) => held.push(res));
  const quick = new Map<string, string>();
  dirs = {
    hold: writeTempApp({ "actions/logic/index.ts": HOLD_LOGIC }, { alias: "HOLD" }),
    quick: (alias) => {
      if (!quick.has(alias)) quick.set(alias, writeTempApp({}, { alias }));
      return quick.get(alias)!;
    },
  };
});
afterEach(() => {
  for (const res of held.splice(0)) res.end("{}");
});
afterAll(async () => {
  await server.close();
  removeTempApps();
});

async function runtimeWith(options: { budgetMb: number; workers?: number; apps?: string[] }) {
  const t = await startRuntime({
    workers: options.workers ?? 0,
    spareWorkers: 0,
    workerMemoryMb: options.budgetMb,
    limits: { memoryMb: HEAP_MB, wallMs: 20_000 },
    allowHosts: ["127.0.0.1"],
  });
  await t.runtime.loadApp(dirs.hold);
  for (const alias of options.apps ?? []) await t.runtime.loadApp(dirs.quick(alias));
  return t;
}

const hold = (t: TestRuntime, wallMs?: number) =>
  t.runtime.run({ caller: asDeveloper(), app: "HOLD", action: "go", values: { c_text: server.url }, wallMs });

/** Polls `ready` (a state of the runtime, not the clock) for up to 10 s. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i > 500) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("isolate memory per sandbox process", () => {
  it("a run over the budget waits until a running one ends, then runs", async () => {
    const t = await runtimeWith({ budgetMb: 2 * HEAP_MB });
    try {
      const first = hold(t);
      const second = hold(t);
      await until(() => held.length === 2, "two actions hold");
      const third = hold(t);
      await until(() => t.runtime.config.pool.waitingRuns === 1, "the third action waits for memory");
      expect(held).toHaveLength(2);
      held.shift()!.end("{}");
      await until(() => held.length === 2, "the third action runs once the first ended");
      for (const res of held.splice(0)) res.end("{}");
      for (const result of await Promise.all([first, second, third]))
        expect(result.ok && result.entity.c_text).toBe("done");
    } finally {
      await t.close();
    }
  });

  it("a run that finds no room before its deadline fails resource_exhausted", async () => {
    const t = await runtimeWith({ budgetMb: 2 * HEAP_MB });
    try {
      const running = [hold(t), hold(t)];
      await until(() => held.length === 2, "two actions hold");
      const started = Date.now();
      const refused = await hold(t, 700);
      expect(!refused.ok && refused.error.code).toBe("resource_exhausted");
      expect(!refused.ok && refused.error.message).toMatch(/No room for the action's 32 MB isolate heap/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(t.runtime.config.pool.waitingRuns).toBe(0);
      for (const res of held.splice(0)) res.end("{}");
      expect((await Promise.all(running)).every((result) => result.ok)).toBe(true);
      // The budget is whole again: the next runs do not wait.
      const next = [hold(t), hold(t)];
      await until(() => held.length === 2, "two actions hold again");
      for (const res of held.splice(0)) res.end("{}");
      expect((await Promise.all(next)).every((result) => result.ok)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("idle warm isolates are evicted, longest idle first, to make room for a run", async () => {
    const t = await runtimeWith({ budgetMb: 3 * HEAP_MB, apps: ["IDLEA", "IDLEB", "NEWC"] });
    try {
      expect((await t.runtime.run({ caller: asDeveloper(), app: "IDLEA", action: "go" })).ok).toBe(true);
      expect((await t.runtime.run({ caller: asDeveloper(), app: "IDLEB", action: "go" })).ok).toBe(true);
      expect(appsWithIsolates(t)).toEqual(["IDLEA", "IDLEB"]);
      const running = [hold(t), hold(t)];
      await until(() => held.length === 2, "two actions hold");
      // 2 × 32 MB running + two idle isolates + 32 MB more: over 96 MB unless the idle ones go.
      const third = await t.runtime.run({ caller: asDeveloper(), app: "NEWC", action: "go" });
      expect(third.ok).toBe(true);
      expect(appsWithIsolates(t)).toEqual(["NEWC"]);
      for (const res of held.splice(0)) res.end("{}");
      expect((await Promise.all(running)).every((result) => result.ok)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("an action whose heap limit exceeds the whole budget is refused at once", async () => {
    const t = await runtimeWith({ budgetMb: HEAP_MB - 8 });
    try {
      const result = await t.runtime.run({
        caller: asDeveloper(),
        app: "HOLD",
        action: "go",
        values: { c_text: server.url },
      });
      expect(!result.ok && result.error.code).toBe("resource_exhausted");
      expect(!result.ok && result.error.message).toMatch(
        /larger than the isolate memory of a sandbox process/,
      );
      expect(held).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it("worker processes get the budget from the supervisor", async () => {
    const t = await runtimeWith({ budgetMb: HEAP_MB, workers: 1 });
    try {
      await t.runtime.workers!.whenReady();
      const running = hold(t);
      await until(() => held.length === 1, "one action holds");
      const refused = await hold(t, 700);
      expect(!refused.ok && refused.error.code).toBe("resource_exhausted");
      held.shift()!.end("{}");
      expect((await running).ok).toBe(true);
    } finally {
      await t.close();
    }
  });
});

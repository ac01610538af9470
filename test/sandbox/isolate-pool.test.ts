/**
 * The warm isolate pool under concurrency: isolates that served a burst stay warm for the next
 * burst (no dispose-and-rebuild churn beyond a small cap), and the extra ones are given back after
 * they stayed idle for the TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime();
  await t.runtime.loadApp(
    writeTempApp(
      {
        "actions/logic/index.ts":
          'import { entity } from "#typings";\nimport { ComindServer } from "@comind/api/server";\nexport default { go() { ComindServer.sleep(100); entity.c_text = "went"; } };\n',
      },
      { alias: "BURST" },
    ),
  );
});
afterAll(async () => {
  await t.close();
  removeTempApps();
});

const pool = () => t.runtime.config.pool;
const isolates = () =>
  pool()
    .stats()
    .find((app) => app.key.startsWith("BURST:"))?.isolates ?? 0;
const burst = async (size: number) => {
  const results = await Promise.all(
    Array.from({ length: size }, () => t.runtime.run({ caller: asDeveloper(), app: "BURST", action: "go" })),
  );
  expect(results.every((result) => result.ok)).toBe(true);
};

describe("isolate pool", () => {
  it("keeps the isolates of a burst of 8 concurrent actions warm for the next burst", async () => {
    await burst(8);
    expect(isolates()).toBe(8);
    const contexts = pool().contextsCreated;
    await burst(8);
    expect(pool().contextsCreated).toBe(contexts);
    expect(isolates()).toBe(8);
  });

  it("gives back idle isolates beyond the first after the idle TTL", async () => {
    pool().trimIdle(Date.now() + 61_000);
    expect(isolates()).toBe(1);
    const contexts = pool().contextsCreated;
    await burst(1);
    expect(pool().contextsCreated).toBe(contexts);
  });
});

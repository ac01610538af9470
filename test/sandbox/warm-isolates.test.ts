/**
 * Light per app (issue 27): idle warm isolates fit in a warm budget (`warmIsolatesMb`), the least
 * recently used evicted first, and the next run of an evicted app still works; the start's
 * prewarm fills the budget (never more) and the first action uses what it built; with worker
 * processes each app lives in the worker its alias hashes to, and /api/admin/stats shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { aliasHash } from "../../runtime/sandbox/worker/supervisor.ts";
import { createToken } from "../../runtime/server/auth.ts";
import { appsWithIsolates, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { startApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

// A warm isolate of a small app counts about 2.7 MB (its heap, ~1 MB, plus ISOLATE_OVERHEAD_MB):
// two fit in 7 MB, three do not.
const TWO_FIT_MB = 7;
const ALIASES = ["WARMA", "WARMB", "WARMC"];
const dirs = new Map<string, string>();

beforeAll(() => {
  for (const alias of ALIASES) dirs.set(alias, writeTempApp({}, { alias }));
});
afterAll(() => removeTempApps());

async function runtimeWith(warmIsolatesMb: number): Promise<TestRuntime> {
  const t = await startRuntime({ workers: 0, warmIsolatesMb });
  for (const alias of ALIASES) await t.runtime.loadApp(dirs.get(alias)!);
  return t;
}

const go = async (t: TestRuntime, app: string) => {
  const result = await t.runtime.run({ caller: asDeveloper(), app, action: "go" });
  expect(result.ok && result.entity.c_text).toBe("went");
};

describe("the warm-isolate budget", () => {
  it("evicts the least recently used idle isolate; the evicted app's next run still works", async () => {
    const t = await runtimeWith(TWO_FIT_MB);
    try {
      await go(t, "WARMA");
      await go(t, "WARMB");
      await go(t, "WARMA"); // A is now used more recently than B
      expect(appsWithIsolates(t)).toEqual(["WARMA", "WARMB"]);
      expect(t.runtime.config.pool.summary().evictions).toBe(0);
      await go(t, "WARMC");
      expect(appsWithIsolates(t)).toEqual(["WARMA", "WARMC"]);
      expect(t.runtime.config.pool.summary()).toMatchObject({
        isolates: 2,
        evictions: 1,
        warmBudgetMb: TWO_FIT_MB,
      });
      expect(t.runtime.config.pool.summary().warmMb).toBeLessThanOrEqual(TWO_FIT_MB);
      await go(t, "WARMB");
      expect(appsWithIsolates(t)).toEqual(["WARMB", "WARMC"]);
      expect(t.runtime.config.pool.summary().evictions).toBe(2);
    } finally {
      await t.close();
    }
  });

  it("the start's prewarm builds isolates up to the budget, most recently run first, and the first action uses them", async () => {
    const t = await runtimeWith(TWO_FIT_MB);
    try {
      await go(t, "WARMC"); // the most recently run app: warmed first
      t.runtime.config.pool.evict(""); // as after a restart: nothing warm
      const built = t.runtime.config.pool.contextsCreated;
      expect(await t.runtime.start()).toBe(2);
      expect(appsWithIsolates(t)).toHaveLength(2);
      expect(appsWithIsolates(t)).toContain("WARMC");
      expect(t.runtime.config.pool.summary()).toMatchObject({ prewarmed: 2, evictions: 0 });
      expect(t.runtime.config.pool.contextsCreated).toBe(built + 2);
      for (const alias of appsWithIsolates(t)) await go(t, alias);
      expect(t.runtime.config.pool.contextsCreated).toBe(built + 2); // no cold start
    } finally {
      await t.close();
    }
  });

  it("a deploy after the start prepares the new build's isolate", async () => {
    const t = await runtimeWith(100);
    try {
      await t.runtime.start();
      const before = t.runtime.config.pool.summary().prewarmed;
      const redeployed = writeTempApp(
        {
          "actions/logic/index.ts":
            'import { entity } from "#typings";\nexport default { go() { entity.c_text = "v2"; } };\n',
        },
        { alias: "WARMA" },
      );
      // The same folder path is what a redeploy rebuilds; here another folder with the same alias.
      t.runtime.apps.delete("WARMA");
      const loaded = await t.runtime.loadApp(redeployed);
      const prepared = () =>
        t.runtime.config.pool.stats().some((app) => app.key === loaded.sandbox.key && app.isolates === 1);
      // Prepared in the background: wait for the pool's state, not for time.
      for (let i = 0; !prepared(); i++) {
        if (i > 1000) throw new Error("the redeployed app was never prepared");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(t.runtime.config.pool.summary().prewarmed).toBe(before + 1);
      const built = t.runtime.config.pool.contextsCreated;
      const result = await t.runtime.run({ caller: asDeveloper(), app: "WARMA", action: "go" });
      expect(result.ok && result.entity.c_text).toBe("v2");
      expect(t.runtime.config.pool.contextsCreated).toBe(built);
    } finally {
      await t.close();
    }
  });
});

describe("placement over worker processes", () => {
  it("each app warms in the worker its alias hashes to; admin stats show isolates per worker", async () => {
    const aliases = ["SPREAD1", "SPREAD2", "SPREAD3", "SPREAD4", "SPREAD5", "SPREAD6"];
    const homes = aliases.map((alias) => aliasHash(alias) % 2);
    expect(new Set(homes).size).toBe(2); // these aliases hash to both workers
    const api = await startApi(
      aliases.map((alias) => writeTempApp({}, { alias })),
      { runtime: { workers: 2, spareWorkers: 0 } },
    );
    try {
      await api.runtime.workers!.whenServing();
      // One after another, as users' first runs arrive: the old placement put them all in one worker.
      for (const app of aliases) {
        const result = await api.runtime.run({ caller: asDeveloper(), app, action: "go" });
        expect(result.ok).toBe(true);
      }
      const admin = {
        authorization: `CMW_AUTH_CODE ${await createToken(api.store, { id: "root", isAdmin: true })}`,
      };
      const res = await api.get("/api/admin/stats", admin);
      expect(res.statusCode).toBe(200);
      const workers = res.json().workers as {
        apps: { key: string; isolates: number }[];
        pool: { isolates: number; evictions: number; warmBudgetMb: number };
      }[];
      expect(workers).toHaveLength(2);
      aliases.forEach((alias, index) => {
        const holder = workers.findIndex((worker) =>
          worker.apps.some((app) => app.key.startsWith(`${alias}:`) && app.isolates > 0),
        );
        expect(holder, alias).toBe(homes[index]);
      });
      for (const [index, worker] of workers.entries()) {
        expect(worker.pool.isolates).toBe(homes.filter((home) => home === index).length);
        expect(worker.pool.evictions).toBe(0);
        expect(worker.pool.warmBudgetMb).toBeGreaterThan(0);
      }
    } finally {
      await api.close();
    }
  });
});

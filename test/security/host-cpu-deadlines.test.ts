/**
 * Host work on untrusted input runs under its action's bounds (runtime/host/cpu/): a Liquid
 * template or HTML built to burn CPU fails its own action near its wall-clock limit, while another
 * app's action that also renders Liquid and converts HTML completes at once — through sandbox
 * worker processes, as `serve` runs them. Before, both calls ran synchronously in the worker
 * process and blocked every action there until they finished (the template: seconds; the markup,
 * 54 KB of nested lists: about 25 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { CpuTask } from "../../runtime/host/index.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

// 258 characters of Liquid: a 10 M-character string split into characters and sorted. liquidjs
// checks its render limit only between tags, so on its own it runs for seconds — and needs over
// a GB of heap, which ended the whole process from its worker thread (V8's fatal out-of-memory)
// until Liquid's memory budget was set to what the thread can hold.
const LIQUID_BOMB =
  '{% assign s = "qwertyuiopasdfghjklz" %}{% for i in (1..19) %}{% assign s = s | append: s %}{% endfor %}{% assign a = s | split: "" | sort_natural %}{{ a | size }}';

const HOSTILE_LOGIC = `
import { entity } from "#typings";
const nestedLists = (depth: number) => "<ol><li>a</li><li>".repeat(depth);
export default {
  liquid_bomb() { entity.c_text = LiquidParser.parse(${JSON.stringify(LIQUID_BOMB)}, {}); },
  html_bomb() { entity.c_text = Utils.htmlToText(nestedLists(5000)); },
  // Each call is short; only the CPU the action's calls used together stops the loop.
  html_loop() {
    for (let i = 0; i < 2000; i++) ComindServer.htmlToText(nestedLists(400));
    entity.c_text = "finished";
  },
};
`;
const HOSTILE_ACTIONS = `export default [
  { uid: "liquid_bomb", caption: "L" }, { uid: "html_bomb", caption: "H" }, { uid: "html_loop", caption: "HL" },
] as const;\n`;

const FRIENDLY_LOGIC = `
import { entity } from "#typings";
export default {
  go() {
    entity.c_text = LiquidParser.parse("{{ who | upcase }}", { who: "ada" }) + " " + Utils.htmlToText("<p>was <b>here</b></p>");
  },
};
`;

// Long enough that on a busy machine the friendly action surely ends while the HTML bomb still
// runs (the test checks the order of events, not how fast anything was: that is for bench/); the
// bomb (5,000 nested lists, minutes of CPU) cannot finish within it even on a fast machine.
const WALL_MS = 10_000;
let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({ workers: 2, limits: { wallMs: WALL_MS, cpuMs: 60_000 } });
  await t.runtime.loadApp(
    writeTempApp(
      { "actions/logic/index.ts": HOSTILE_LOGIC, "actions/index.ts": HOSTILE_ACTIONS },
      { alias: "HOSTILE" },
    ),
  );
  await t.runtime.loadApp(writeTempApp({ "actions/logic/index.ts": FRIENDLY_LOGIC }, { alias: "FRIENDLY" }));
  // Warm both apps in both workers, so the timings below measure the calls, not a cold start.
  await t.runtime.workers!.whenReady();
  await Promise.all(
    [1, 2, 3, 4].map(() => t.runtime.run({ caller: asDeveloper(), app: "FRIENDLY", action: "go" })),
  );
});
afterAll(async () => {
  await t.close();
  removeTempApps();
});

/** Resolves once the host thread pool was handed a task of `kind` (the bomb is running). */
function whenTaskStarts(kind: CpuTask): Promise<void> {
  const pool = t.runtime.config.cpu;
  const original = pool.run.bind(pool);
  return new Promise((resolve) => {
    pool.run = ((task, arg, bound) => {
      if (task === kind) {
        pool.run = original;
        resolve();
      }
      return original(task, arg, bound);
    }) as typeof pool.run;
  });
}

async function outcome<T>(work: Promise<T>) {
  return { result: await work };
}

describe("host calls that burn CPU run under the action's deadline", () => {
  it("a Liquid bomb and an htmlToText bomb fail their own actions near the wall limit; another app's action completes at once", async () => {
    const liquidStarted = whenTaskStarts("liquid");
    const liquid = outcome(t.runtime.run({ caller: asDeveloper(), app: "HOSTILE", action: "liquid_bomb" }));
    await liquidStarted;
    const htmlStarted = whenTaskStarts("htmlToText");
    const html = outcome(t.runtime.run({ caller: asDeveloper(), app: "HOSTILE", action: "html_bomb" }));
    await htmlStarted;
    let bombsDone = false;
    void Promise.all([liquid, html]).then(() => (bombsDone = true));

    // Both workers are running a bomb now; the friendly action goes to one of them.
    const friendly = await outcome(t.runtime.run({ caller: asDeveloper(), app: "FRIENDLY", action: "go" }));
    expect(friendly.result.ok && friendly.result.entity.c_text).toBe("ADA was here");
    expect(bombsDone).toBe(false);

    // Liquid's bomb is stopped by its memory budget, the HTML bomb by the action's wall clock.
    const [liquidEnd, htmlEnd] = [(await liquid).result, (await html).result];
    expect(!liquidEnd.ok && liquidEnd.error.code).toBe("limit_exceeded");
    expect(!htmlEnd.ok && htmlEnd.error.code).toBe("timeout");
    expect(!htmlEnd.ok && htmlEnd.error.message).toMatch(/wall-clock limit/);
    // Their threads were stopped, not left running in the background.
    expect(t.runtime.config.cpu.busy).toBe(0);
    // The workers and the thread pool are usable again at once.
    const after = await outcome(t.runtime.run({ caller: asDeveloper(), app: "FRIENDLY", action: "go" }));
    expect(after.result.ok).toBe(true);
  });

  it("refuses a template that would need GBs of heap at once, by Liquid's memory budget, never by the thread's heap limit", async () => {
    const bomb = await outcome(
      t.runtime.run({ caller: asDeveloper(), app: "HOSTILE", action: "liquid_bomb" }),
    );
    expect(!bomb.result.ok && bomb.result.error.code).toBe("limit_exceeded");
    expect(!bomb.result.ok && bomb.result.error.message).toMatch(/memory alloc limit exceeded/);
  });

  it("host work counts against the action's CPU limit: a loop of short calls stops there, not at the wall limit", async () => {
    const cpu = await startRuntime({ limits: { cpuMs: 1_000, wallMs: 30_000 } });
    try {
      await cpu.runtime.loadApp([...t.runtime.apps.values()].find((app) => app.alias === "HOSTILE")!.dir);
      const loop = await outcome(
        cpu.runtime.run({ caller: asDeveloper(), app: "HOSTILE", action: "html_loop" }),
      );
      expect(!loop.result.ok && loop.result.error.code).toBe("timeout");
      expect(!loop.result.ok && loop.result.error.message).toMatch(
        /more CPU time than its limit of 1000 ms \(htmlToText and other host work/,
      );
    } finally {
      await cpu.close();
    }
  });
});

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

// --worker-nice: every thread of a worker process, the isolates' included, runs below the server.
let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The nice value of each thread of process `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNice(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  return readdirSync(dir).flatMap((tid) => {
    const stat = `${dir}/${tid}/stat`;
    if (!existsSync(stat)) return []; // a thread that ended meanwhile
    return [Number(readFileSync(stat, "utf8").split(") ")[1].split(" ")[16])];
  });
}

async function runtimeWithWorker(workerNice?: number) {
  t = await startRuntime({ workers: 1, ...(workerNice === undefined ? {} : { workerNice }) });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
  // An action first: the isolate's threads exist only once the worker has run one.
  const result = await t.runtime.run({ caller: asDeveloper(), app: "PROBE", action: "increment" });
  expect(result.ok).toBe(true);
  return t.runtime.workers!;
}

describe("worker CPU priority (--worker-nice)", () => {
  const base = getPriority();

  it("lowers every thread of a worker, and the stats show it", async () => {
    const workers = await runtimeWithWorker(7);
    const [pid] = workers.pids();
    const nice = threadNice(pid);
    expect(nice.length).toBeGreaterThan(4); // main, libuv, V8 platform and isolate threads
    expect(new Set(nice)).toEqual(new Set([Math.min(19, base + 7)]));
    expect((await workers.stats())[0].nice).toBe(Math.min(19, base + 7));
    expect(new Set(threadNice(process.pid))).toEqual(new Set([base])); // this process untouched
  });

  it("defaults to 5 below the server, and 0 leaves the workers at the server's priority", async () => {
    const lowered = await runtimeWithWorker();
    expect(new Set(threadNice(lowered.pids()[0]))).toEqual(new Set([Math.min(19, base + 5)]));
    await t!.close();
    const same = await runtimeWithWorker(0);
    expect(new Set(threadNice(same.pids()[0]))).toEqual(new Set([base]));
  });
});

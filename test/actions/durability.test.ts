import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { openStore, type StoreOptions } from "../../runtime/store/index.ts";
import { ROOT } from "../helpers/cli.ts";
import {
  startLoopbackServer as startServer,
  type LoopbackServer as TestServer,
} from "../helpers/http-test-servers.ts";
import { ENGINES } from "../helpers/engines.ts";

const CHILD = join(ROOT, "test", "helpers", "store-child.ts");
const NODE = join(ROOT, "node_modules", ".bin", "node");

function child(config: object) {
  const proc = spawn(NODE, ["--no-node-snapshot", CHILD, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (chunk) => (stdout += chunk));
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => proc.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, exited };
}

describe.each(ENGINES)("durability on $name", (engine) => {
  let options: StoreOptions;
  let cleanup: () => Promise<void>;
  let midway: TestServer;
  let reached: () => void;
  let reachedPromise: Promise<void>;

  beforeAll(async () => {
    ({ options, cleanup } = await engine.create());
    reachedPromise = new Promise((resolve) => (reached = resolve));
    midway = await startServer(() => reached()); // never answers: the action hangs there
  });
  afterAll(async () => {
    await midway.close();
    await cleanup();
  });

  it("a process killed mid-action leaves none of the action's writes", async () => {
    const { proc, exited } = child({ store: options, mode: "hang", midwayUrl: midway.url });
    await reachedPromise;
    proc.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");
    const store = await openStore(options);
    try {
      expect(
        await store.countRecords({
          workspace: "DEMO",
          app: "PROBE",
          filter: { kind: "contains", field: "c_key", value: "crash-" },
        }),
      ).toBe(0);
      expect(await store.countRecords({ workspace: "DEMO" })).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("two processes editing the same 10 records lose no update", async () => {
    const store = await openStore(options);
    const runtime = await createActionRuntime({ store, secrets: {} });
    await runtime.loadApp(join(ROOT, "test", "fixtures", "apps", "app-probe"));
    const recordIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await runtime.run({
        caller: asDeveloper(),
        app: "PROBE",
        action: "add",
        values: { c_count: 0 },
      });
      if (!created.ok) throw new Error(created.error.message);
      recordIds.push(created.recordId);
    }
    await runtime.close();
    const results = await Promise.all(
      [1, 2].map(() => child({ store: options, mode: "edits", recordIds, count: 200 }).exited),
    );
    const tallies = results.map((result) => {
      expect(result.stderr).toBe("");
      return JSON.parse(result.stdout) as { ok: number; conflicts: number; failed: number };
    });
    const ok = tallies.reduce((sum, t) => sum + t.ok, 0);
    const conflicts = tallies.reduce((sum, t) => sum + t.conflicts, 0);
    expect(tallies.reduce((sum, t) => sum + t.failed, 0)).toBe(0);
    expect(ok + conflicts).toBe(400);
    const records = await Promise.all(recordIds.map((id) => store.getRecord("DEMO", id)));
    expect(records.reduce((sum, r) => sum + (r!.fields.c_count as number), 0)).toBe(ok);
    const histories = await Promise.all(recordIds.map((id) => store.history("DEMO", id, { limit: 10_000 })));
    expect(histories.reduce((sum, h) => sum + h.filter((e) => e.transition === "increment").length, 0)).toBe(
      ok,
    );
    for (const record of records) expect(record!.revision).toBe(1 + (record!.fields.c_count as number));
    await store.close();
  });
});

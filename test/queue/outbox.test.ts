/** ComindServer.enqueue's refusals, and what a run without a queue (CLI `run`) says. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { SQLITE } from "../helpers/engines.ts";
import { startRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { startNodeOn, type QueueNode } from "./harness.ts";

const app = () =>
  writeTempApp({
    "actions/logic/index.ts": `import { entity } from "#typings";
export default {
  go() {
    const [action, options] = JSON.parse(String(entity.c_text));
    try {
      entity.c_text = JSON.stringify(ComindServer.enqueue(action, options));
    } catch (error) {
      entity.c_text = "refused " + (error as { code?: string }).code + ": " + (error as Error).message;
    }
  },
};
`,
  });

let node: QueueNode;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const created = await SQLITE.create();
  cleanup = created.cleanup;
  node = await startNodeOn(created.options, [app()]);
});
afterAll(async () => {
  await node?.close();
  await cleanup?.();
  removeTempApps();
});

async function attempt(action: unknown, options: unknown): Promise<string> {
  const result = await node.runtime.run({
    caller: asDeveloper(),
    app: "TEMP",
    action: "go",
    values: { c_text: JSON.stringify([action, options]) },
  });
  if (!result.ok) throw new Error(result.error.message);
  return String(result.entity.c_text);
}

describe("ComindServer.enqueue", () => {
  it("returns the run id of the job it adds", async () => {
    const answer = JSON.parse(
      await attempt("go", { values: { c_text: '["edit", {}]' }, runAt: Date.now() + 3_600_000 }),
    );
    expect(typeof answer.runId).toBe("string");
    expect((await node.queue.getRun(answer.runId))?.status).toBe("queued");
  });

  it.each([
    ["nope", {}, "unknown_action"],
    ["go", { appAlias: "OTHER" }, "forbidden"],
    ["go", { runAt: "not a date" }, "validation_error"],
    ["go", { runAt: Date.now() + 400 * 86_400_000 }, "validation_error"],
    ["go", { key: "k".repeat(201) }, "validation_error"],
  ])("refuses %s %j with %s", async (action, options, code) => {
    expect(await attempt(action, options)).toMatch(new RegExp(`^refused ${code}: `));
  });

  it("says queue_unavailable where no queue runs (the CLI's run)", async () => {
    const plain = await startRuntime();
    try {
      await plain.runtime.loadApp(app());
      const result = await plain.runtime.run({
        caller: asDeveloper(),
        app: "TEMP",
        action: "go",
        values: { c_text: JSON.stringify(["go", {}]) },
      });
      expect(result.ok && result.entity.c_text).toMatch(/^refused queue_unavailable: .*serve/);
    } finally {
      await plain.close();
    }
  });
});

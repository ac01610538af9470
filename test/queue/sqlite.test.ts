import { randomUUID } from "node:crypto";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { SQLITE } from "../helpers/engines.ts";
import { queueContract } from "./contract.ts";
import { quotaContract } from "./quota-contract.ts";
import { startNodeOn, waitForRun } from "./harness.ts";

queueContract(SQLITE);
quotaContract(SQLITE);

describe("embedded queue (one node)", () => {
  it("takes over jobs a dead process left locked as soon as it starts", async () => {
    const { options, cleanup } = await SQLITE.create();
    const first = await startNodeOn(options);
    const created = await first.runtime.run({ caller: asDeveloper(), app: "QUEUE", action: "add" });
    await first.close();
    // A job the previous process had taken (locked just now) when it died.
    const db = new DatabaseSync(join(options.dataDir, "comind.sqlite"));
    const runId = randomUUID();
    const spec = {
      runId,
      workspace: "DEMO",
      app: "QUEUE",
      action: "mark",
      recordId: created.recordId,
      caller: asDeveloper(),
      source: "test",
      maxAttempts: 3,
    };
    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO queue_runs (run_id, workspace, app, action, record_id, source, actor, status, attempt, max_attempts, spec, created_at, updated_at) VALUES (?, 'DEMO', 'QUEUE', 'mark', ?, 'test', 'local-developer', 'running', 1, 3, ?, ?, ?)",
    ).run(runId, created.recordId, JSON.stringify(spec), now, now);
    db.prepare(
      "INSERT INTO queue_jobs (run_id, attempt, run_at, locked_at, locked_by) VALUES (?, 1, ?, ?, 'dead')",
    ).run(runId, Date.now(), Date.now());
    db.close();
    const second = await startNodeOn(options);
    try {
      // lockTimeoutMs is 10 s in the harness: finishing well before it shows the lock was dropped at start.
      const run = await waitForRun(second.queue, runId, 8_000);
      expect(run.status).toBe("succeeded");
    } finally {
      await second.close();
      await cleanup();
    }
  });
});

/**
 * Enqueue quotas and fair scheduling, run against both engines (sqlite.test.ts, postgres.test.ts):
 * the pending limits per user and per app hold for queue.add, for ComindServer.enqueue (refused
 * before the action commits) and for concurrent enqueues; schedule ticks keep to the app's limit
 * only; one app's (user's) backlog does not hold back another's run, by order of start.
 */
import { randomUUID } from "node:crypto";
import { asDeveloper } from "../../runtime/index.ts";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../runtime/access/index.ts";
import { isRuntimeError } from "../../runtime/errors.ts";
import { runJob } from "../../runtime/jobs/index.ts";
import type { NewRun } from "../../runtime/queue/index.ts";
import type { Engine } from "../helpers/engines.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { QUEUE_APP, startQueueNode, waitFor, type QueueNode } from "./harness.ts";

const user = (id: string): Caller => ({ id, name: id, isAdmin: false });

function newRun(app: string, action: string, actor: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    runId: randomUUID(),
    workspace: "DEMO",
    app,
    action,
    caller: { kind: "user", user: user(actor) },
    source: "async",
    maxAttempts: 1,
    ...extra,
  };
}

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; retryAfter?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    return { code: error.code, retryAfter: error.retryAfterSeconds, message: error.message };
  }
  throw new Error("expected a refusal");
}

export function quotaContract(engine: Engine): void {
  describe(`queue quotas (${engine.name})`, () => {
    let node: QueueNode;
    let temp: string;
    beforeAll(async () => {
      temp = writeTempApp({});
      // Idle: nothing runs, so every run enqueued stays pending.
      node = await startQueueNode(engine, [QUEUE_APP, temp], {
        idle: true,
        quotas: { pendingPerUser: 3, pendingPerApp: 13, ratePerUser: 1_000, burstPerUser: 1_000 },
      });
    });
    afterAll(async () => {
      await node?.close();
      removeTempApps();
    });

    const pendingOf = async (app: string, actor?: string) =>
      (await node.queue.listRuns({ workspace: "DEMO", app, actor, limit: 1000 })).filter(
        (run) => run.status === "queued" || run.status === "running",
      ).length;

    it("refuses a user's run over the pending limit with rate_limited; other users go on", async () => {
      for (let i = 0; i < 3; i++) await node.queue.add(newRun("QUEUE", "quick", "alice"));
      const refused = await refusal(node.queue.add(newRun("QUEUE", "quick", "alice")));
      expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 5 });
      expect(refused.message).toContain("3 runs of app QUEUE queued or running");
      expect(await pendingOf("QUEUE", "alice")).toBe(3);
      await node.queue.add(newRun("QUEUE", "quick", "bob"));
      expect(await pendingOf("QUEUE", "bob")).toBe(1);
    });

    it("refuses ComindServer.enqueue over the limit before the action commits", async () => {
      const carol = user("carol");
      const created = await node.runtime.run({
        caller: asDeveloper(),
        app: "QUEUE",
        action: "add",
        values: { c_text: "before" },
      });
      if (!created.ok) throw new Error(created.error.message);
      const id = created.recordId;
      const over = await node.runtime.run({
        app: "QUEUE",
        action: "enqueue_many",
        recordId: id,
        values: { c_need: 4 },
        caller: asDeveloper(carol),
      });
      expect(over.ok).toBe(false);
      expect(!over.ok && over.error.code).toBe("rate_limited");
      // Nothing of the action committed: neither its field change nor any of its three first jobs.
      const record = await node.store.getRecord("DEMO", id);
      expect(record?.fields).toMatchObject({ c_text: "before" });
      expect(record?.fields.c_need ?? null).toBeNull();
      expect(await pendingOf("QUEUE", "carol")).toBe(0);
      // The error is thrown into the logic, which may handle it: the runs before it commit.
      const caught = await node.runtime.run({
        app: "QUEUE",
        action: "enqueue_many",
        recordId: id,
        values: { c_need: 4, c_last: "catch" },
        caller: asDeveloper(carol),
      });
      expect(caught.ok && caught.entity.c_text).toBe("refused rate_limited");
      expect(await pendingOf("QUEUE", "carol")).toBe(3);
    });

    it("checks again at the commit: runs enqueued meanwhile by another request count", async () => {
      // frank has 2 of his 3; while his action waits on an HTTP call, another request adds his 3rd.
      for (let i = 0; i < 2; i++) await node.queue.add(newRun("QUEUE", "quick", "frank"));
      const server = createServer(async (_request, response) => {
        await node.queue.add(newRun("QUEUE", "quick", "frank"));
        response.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const created = await node.runtime.run({
          caller: asDeveloper(),
          app: "QUEUE",
          action: "add",
          values: {},
        });
        if (!created.ok) throw new Error(created.error.message);
        const result = await node.runtime.run({
          app: "QUEUE",
          action: "enqueue_then_call",
          recordId: created.recordId,
          values: { c_text: `http://127.0.0.1:${port}` },
          caller: asDeveloper(user("frank")),
        });
        expect(!result.ok && result.error.code).toBe("rate_limited");
        expect((await node.store.getRecord("DEMO", created.recordId))?.fields.c_last ?? null).toBeNull();
        expect(await pendingOf("QUEUE", "frank")).toBe(3);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("counts in the database: concurrent enqueues of one user stop exactly at the limit", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => node.queue.add(newRun("QUEUE", "quick", "dave"))),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
      for (const result of results)
        if (result.status === "rejected") expect(result.reason.code).toBe("rate_limited");
      expect(await pendingOf("QUEUE", "dave")).toBe(3);
    });

    it("refuses any user's run once the app has its pending limit", async () => {
      // alice 3 + bob 1 + carol 3 + frank 3 + dave 3 = 13, the app's limit
      expect(await pendingOf("QUEUE")).toBe(13);
      const refused = await refusal(node.queue.add(newRun("QUEUE", "quick", "erin")));
      expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 5 });
      expect(refused.message).toContain("App QUEUE has 13 runs queued or running");
      // Another app is not affected.
      await node.queue.add(newRun("TEMP", "go", "erin"));
    });

    it("lets a schedule tick past the user limit but not past the app's: the rest is skipped", async () => {
      // TEMP has erin's 1 run: a tick of 15 runs by the scheduler fits 12 of them.
      const runs = Array.from({ length: 15 }, () =>
        newRun("TEMP", "go", "scheduler", { source: "schedule", tick: "2026-01-01T00:00:00.000Z" }),
      );
      const added = await node.queue.addTick(`TEMP:quota:${engine.name}`, "2026-01-01T00:00:00.000Z", runs);
      expect(added).toEqual({ claimed: true, skipped: 3 });
      expect(await pendingOf("TEMP", "scheduler")).toBe(12);
      expect(await pendingOf("TEMP")).toBe(13);
    });
  });

  describe(`fair scheduling (${engine.name})`, () => {
    let node: QueueNode;
    beforeAll(async () => {
      node = await startQueueNode(engine, [QUEUE_APP, writeTempApp({})], {
        idle: true,
        quotas: { ratePerUser: 100_000, burstPerUser: 100_000, ratePerApp: 100_000, burstPerApp: 100_000 },
      });
    });
    afterAll(async () => {
      await node?.close();
      removeTempApps();
    });

    it("starts another app's and another user's run before one user's backlog of 300 drains", async () => {
      for (let i = 0; i < 300; i++) await node.queue.add(newRun("QUEUE", "quick", "flooder"));
      const otherApp = newRun("TEMP", "go", "bob");
      const sameApp = newRun("QUEUE", "quick", "zoe");
      await node.queue.add(otherApp);
      await node.queue.add(sameApp);
      const started: string[] = [];
      await node.queue.work(async (job) => {
        started.push(job.runId);
        await runJob(node.runtime, node.queue, job);
      });
      await waitFor(async () => started.includes(otherApp.runId) && started.includes(sameApp.runId));
      // Without fairness both would start after the 300 (jobs go in run_at order).
      expect(started.indexOf(otherApp.runId)).toBeLessThan(4);
      // Zoe's app has 300 pending runs (priority 300 / 100 = 3): behind the flood's first few.
      expect(started.indexOf(sameApp.runId)).toBeLessThan(10);
    });
  });
}

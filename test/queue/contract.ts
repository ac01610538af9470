/**
 * The queue contract, run against both engines (sqlite.test.ts, postgres.test.ts): outbox
 * commits with the action or not at all, key dedupe, retries with backoff, dead after the limit,
 * commit recorded once per run.
 */
import { randomUUID } from "node:crypto";
import { asDeveloper } from "../../runtime/index.ts";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../helpers/engines.ts";
import { startNodeOn, startQueueNode, waitFor, waitForRun, type QueueNode } from "./harness.ts";
import { startHeldServer } from "./held-server.ts";

export function queueContract(engine: Engine): void {
  describe(`queue contract (${engine.name})`, () => {
    let node: QueueNode;
    beforeAll(async () => {
      node = await startQueueNode(engine);
    });
    afterAll(async () => node?.close());

    const newRecord = async (values: Record<string, unknown> = {}) => {
      const result = await node.runtime.run({ caller: asDeveloper(), app: "QUEUE", action: "add", values });
      if (!result.ok) throw new Error(result.error.message);
      return result.recordId;
    };
    /** Runs a QUEUE action on a record now (not queued). */
    const runOn = (action: string, recordId: string) =>
      node.runtime.run({ caller: asDeveloper(), app: "QUEUE", action, recordId });
    /** The queued runs of one record, any status. */
    const runsOf = async (recordId: string) =>
      (await node.queue.listRuns({ workspace: "DEMO", app: "QUEUE", limit: 1000 })).filter(
        (run) => run.recordId === recordId,
      );
    const add = (action: string, recordId?: string, extra: Record<string, unknown> = {}) =>
      node.queue.add({
        runId: randomUUID(),
        workspace: "DEMO",
        app: "QUEUE",
        action,
        recordId,
        caller: asDeveloper(),
        source: "test",
        maxAttempts: 4,
        ...extra,
      });

    it("claims a schedule tick once: of two claimers exactly one wins, a repeat is refused, a later tick is claimable", async () => {
      const schedule = `contract-${randomUUID()}`;
      const tick = "2030-01-01T00:00:00.000Z";
      const later = "2030-01-01T00:01:00.000Z";
      // The runs stay queued (due in an hour): only whether they were enqueued matters here.
      const runs = (at: string) => [
        {
          runId: randomUUID(),
          workspace: "DEMO",
          app: "QUEUE",
          action: "add",
          caller: asDeveloper(),
          source: "schedule",
          maxAttempts: 1,
          runAt: new Date(Date.now() + 3_600_000),
          tick: at,
        },
      ];
      const second = await startNodeOn(node.storeOptions, []);
      try {
        const [a, b] = [runs(tick), runs(tick)];
        const claimed = (
          await Promise.all([node.queue.addTick(schedule, tick, a), second.queue.addTick(schedule, tick, b)])
        ).map((answer) => answer.claimed);
        expect([...claimed].sort()).toEqual([false, true]);
        const winner = claimed[0] ? a : b;
        const loser = claimed[0] ? b : a;
        expect(await node.queue.getRun(winner[0].runId)).toMatchObject({ status: "queued", tick });
        // The loser's runs were not enqueued: the claim and the runs are one transaction.
        expect(await node.queue.getRun(loser[0].runId)).toBeNull();

        const again = runs(tick);
        expect((await second.queue.addTick(schedule, tick, again)).claimed).toBe(false);
        expect((await node.queue.addTick(schedule, tick, again)).claimed).toBe(false);
        expect(await node.queue.getRun(again[0].runId)).toBeNull();

        const next = runs(later);
        expect((await second.queue.addTick(schedule, later, next)).claimed).toBe(true);
        expect(await node.queue.getRun(next[0].runId)).toMatchObject({ status: "queued", tick: later });
        expect(await node.queue.lastTick(schedule)).toBe(later);
      } finally {
        await second.close();
      }
    });

    it("runs an async add on a new record and keeps the run document", async () => {
      const { runId } = await add("add", undefined, { values: { c_text: "later" } });
      const run = await waitForRun(node.queue, runId);
      expect(run.status).toBe("succeeded");
      expect(run.result).toMatchObject({ ok: true, created: true, runId, entity: { c_text: "later" } });
      const recordId = (run.result!.entity as { id: string }).id;
      expect((await node.store.getRecord("DEMO", recordId))?.fields.c_text).toBe("later");
    });

    it("commits enqueued jobs with the action (outbox) and runs them", async () => {
      const id = await newRecord();
      const result = await runOn("enqueue_then", id);
      expect(result.ok).toBe(true);
      const runs = await waitFor(async () => {
        const mine = (await runsOf(id)).filter((run) => run.action === "mark");
        return mine.length === 2 && mine.every((run) => run.status === "succeeded") ? mine : undefined;
      });
      expect(runs.map((run) => run.source)).toEqual(["enqueue", "enqueue"]);
      // Jobs of one record run one after another: neither conflicted, so both ran at attempt 1.
      expect((await node.store.getRecord("DEMO", id))?.fields).toMatchObject({
        c_text: "marked",
        c_attempts: 1,
      });
      expect(runs.map((run) => run.attempt)).toEqual([1, 1]);
    });

    it("runs one record's jobs one at a time without holding a worker slot: another record's job runs meanwhile", async () => {
      // Each run calls its record's server, which holds the call: a held call is a run in progress.
      const busyServer = await startHeldServer();
      const freeServer = await startHeldServer();
      try {
        const busy = await newRecord({ c_text: busyServer.url });
        const free = await newRecord({ c_text: freeServer.url });
        // The node has 2 worker slots. The busy record's second run comes before the free
        // record's run in the fair order; if it waited for its record inside a slot, both slots
        // would be taken and the free record's run could not start.
        const first = await add("call_down", busy);
        const second = await add("call_down", busy);
        const other = await add("call_down", free);
        await waitFor(async () => busyServer.arrived() >= 1 && freeServer.arrived() >= 1, 30_000);
        expect(busyServer.arrived()).toBe(1);
        busyServer.releaseHeld(); // the first run ends; now the second may start
        await waitFor(async () => busyServer.arrived() === 2, 30_000);
        busyServer.releaseAll();
        freeServer.releaseAll();
        for (const { runId } of [first, second, other])
          expect(await waitForRun(node.queue, runId)).toMatchObject({ status: "succeeded", attempt: 1 });
        expect(busyServer.maxHeld()).toBe(1);
      } finally {
        await busyServer.close();
        await freeServer.close();
      }
    }, 90_000);

    it("writes no job when the enqueuing action rolls back", async () => {
      const id = await newRecord({ c_text: "fail" });
      const result = await runOn("enqueue_then", id);
      expect(result.ok).toBe(false);
      expect(await runsOf(id)).toHaveLength(0);
    });

    it("dedupes by key while a run with that key is pending", async () => {
      const id = await newRecord({ c_last: `key-${randomUUID()}`, c_need: 1 });
      // c_need: the two jobs are due in an hour, so they stay pending
      const result = await runOn("enqueue_then", id);
      expect(result.ok).toBe(true);
      expect((await runsOf(id)).filter((run) => run.status === "queued")).toHaveLength(1);
      const key = `api-${randomUUID()}`;
      const later = new Date(Date.now() + 3_600_000);
      expect((await add("mark", id, { key, runAt: later })).deduped).toBe(false);
      expect((await add("mark", id, { key, runAt: later })).deduped).toBe(true);
    });

    it("retries with exponential backoff and shows the attempt to the logic", async () => {
      const id = await newRecord({ c_need: 3 });
      const { runId } = await add("flaky", id);
      const run = await waitForRun(node.queue, runId);
      expect(run).toMatchObject({ status: "succeeded", attempt: 3 });
      expect((await node.store.getRecord("DEMO", id))?.fields.c_attempts).toBe(3);
      const log = (await node.store.listRuns({ workspace: "DEMO", app: "QUEUE", limit: 1000 }))
        .filter((entry) => entry.id === runId || entry.id.startsWith(`${runId}~`))
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      expect(log.map((entry) => entry.id)).toEqual([runId, `${runId}~2`, `${runId}~3`]);
      expect(log.map((entry) => entry.ok)).toEqual([false, false, true]);
      // backoffMs 40: the second attempt waits >= 40 ms, the third >= 80 ms
      const gap = (i: number) => Date.parse(log[i].startedAt) - Date.parse(log[i - 1].finishedAt);
      expect(gap(1)).toBeGreaterThanOrEqual(40);
      expect(gap(2)).toBeGreaterThanOrEqual(80);
    });

    it("marks a run dead after the last attempt and lists it as failed", async () => {
      const id = await newRecord();
      const { runId } = await add("always_retry", id);
      const run = await waitForRun(node.queue, runId);
      expect(run).toMatchObject({ status: "dead", attempt: 4, error: { code: "retry_later" } });
      const failed = await node.queue.listRuns({ workspace: "DEMO", failedOnly: true, limit: 1000 });
      expect(failed.map((entry) => entry.runId)).toContain(runId);
    });

    it("retries an uncaught network_error, then marks the run dead", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      const { runId } = await add("call_down", await newRecord({ c_text: `http://127.0.0.1:${port}` }));
      const run = await waitForRun(node.queue, runId);
      expect(run).toMatchObject({ status: "dead", attempt: 4, error: { code: "network_error" } });
    });

    it("retries a request timeout, but not an action past its own CPU limit", async () => {
      const silent = createServer(() => undefined); // accepts, never answers
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = silent.address() as AddressInfo;
        const slow = await add("call_slow", await newRecord({ c_text: `http://127.0.0.1:${port}` }));
        const spin = await add("spin", await newRecord());
        expect(await waitForRun(node.queue, slow.runId)).toMatchObject({
          status: "dead",
          attempt: 4,
          error: { code: "timeout" },
        });
        expect(await waitForRun(node.queue, spin.runId)).toMatchObject({
          status: "failed",
          attempt: 1,
          error: { code: "timeout" },
        });
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it("fails a logic error at once, without retries", async () => {
      const { runId } = await add("boom", await newRecord());
      const run = await waitForRun(node.queue, runId);
      expect(run).toMatchObject({
        status: "failed",
        attempt: 1,
        error: { code: "logic_error", message: "bad logic" },
      });
    });

    it("never applies one run twice: a second commit of the same run rolls back", async () => {
      const id = await newRecord({ c_last: "x" });
      const { runId } = await add("append", id);
      await waitForRun(node.queue, runId);
      // Replay the same run as if a node had died after committing it and the job came back.
      const again = await node.runtime.run({
        caller: asDeveloper(),
        app: "QUEUE",
        action: "append",
        recordId: id,
        job: { runId, attempt: 2 },
      });
      expect(again.ok).toBe(false);
      expect(!again.ok && again.error.code).toBe("conflict");
      expect((await node.store.getRecord("DEMO", id))?.fields.c_ids).toBe("x");
    });
  });
}

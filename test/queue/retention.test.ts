/**
 * The retention job on both engines: old finished queue runs and old run-log rows are trimmed in
 * batches; what is still needed stays (queued jobs, runs a record's history names, runs behind an
 * idempotent answer still replayed, recent rows). Old rows are written, then aged by SQL; the
 * timer is driven by a fake clock, and two nodes' timers trim once per tick between them.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, startRetention, trimOlderThan } from "../../runtime/jobs/retention.ts";
import type { NewRun } from "../../runtime/queue/index.ts";
import type { ActionRunLog, Store } from "../../runtime/store/index.ts";
import { POSTGRES, SQLITE } from "../helpers/engines.ts";
import { changeSet, insert } from "../store/builders.ts";
import { FakeClock } from "./fake-clock.ts";
import { type QueueNode, startQueueNode } from "./harness.ts";

const NOW = Date.parse("2030-06-01T00:00:00.000Z");
const OLD = new Date(NOW - 40 * DAY_MS).toISOString();
const RECENT = new Date(NOW - 2 * DAY_MS).toISOString();

function runLog(id: string, at: string): ActionRunLog {
  return {
    id,
    workspace: "DEMO",
    app: "QUEUE",
    action: "go",
    recordId: null,
    source: "test",
    actor: "tester",
    startedAt: at,
    finishedAt: at,
    ok: true,
    errorCode: null,
    errorMessage: null,
    logs: [{ level: "log", message: "hello" }],
    httpCalls: [],
  };
}

const queued = (runId: string): NewRun => ({
  runId,
  workspace: "DEMO",
  app: "QUEUE",
  action: "go",
  caller: { kind: "system", name: "schedule" },
  source: "enqueue",
  maxAttempts: 1,
});

/** Raw SQL on the store's database (the queue's door), to age rows the code wrote. */
async function sql(store: Store, text: string, params: unknown[] = []): Promise<void> {
  const storage = store.queueStorage;
  if (storage.engine === "sqlite") storage.db.prepare(text).run(...(params as never[]));
  else
    await storage.pool.query(
      text.replace(/\?/g, (_, i, all) => `$${all.slice(0, i).split("?").length}`),
      params,
    );
}

async function ids(store: Store, table: "action_runs" | "queue_runs"): Promise<string[]> {
  const column = table === "action_runs" ? "id" : "run_id";
  const storage = store.queueStorage;
  const text = `SELECT ${column} AS id FROM ${table} ORDER BY ${column}`;
  const rows =
    storage.engine === "sqlite" ? storage.db.prepare(text).all() : (await storage.pool.query(text)).rows;
  return rows.map((row) => String(row.id));
}

for (const engine of [SQLITE, POSTGRES]) {
  describe(`retention (${engine.name})`, () => {
    let node: QueueNode;
    beforeAll(async () => {
      node = await startQueueNode(engine, undefined, { idle: true });
    }, 60_000);
    afterAll(() => node?.close());

    it("trims old finished runs and run-log rows in batches, keeping what is still needed", async () => {
      const { store, queue } = node;
      const id = (name: string) => `${name}-${randomUUID()}`;
      const names = {
        finished: id("a-finished"),
        dead: id("b-dead"),
        pending: id("c-pending"),
        recentFinished: id("d-recent"),
        plain: id("e-plain"),
        inHistory: id("f-history"),
        idempotent: id("g-idempotent"),
        recentLog: id("h-recent"),
      };
      // The queue: two old finished runs, one old run still queued, one recent finished run.
      for (const runId of [names.finished, names.dead, names.pending, names.recentFinished])
        await queue.add(queued(runId));
      await queue.finish(names.finished, { status: "succeeded" });
      await queue.finish(names.dead, { status: "dead" });
      await queue.finish(names.recentFinished, { status: "succeeded" });
      await sql(store, "UPDATE queue_runs SET updated_at = ?, created_at = ? WHERE run_id <> ?", [
        OLD,
        OLD,
        names.recentFinished,
      ]);
      await sql(store, "UPDATE queue_runs SET updated_at = ? WHERE run_id = ?", [
        RECENT,
        names.recentFinished,
      ]);
      // The run log: 250 plain old rows (several batches), and old rows that are still needed.
      const filler = Array.from({ length: 250 }, () => id("z-filler"));
      // Two of them kept a recording (for `replay`): it goes with its run, and stays with a kept one.
      for (const runId of [names.plain, names.pending])
        await store.recordRun({ ...runLog(runId, OLD), recording: `{"run":"${runId}"}` });
      for (const runId of filler) await store.recordRun(runLog(runId, OLD));
      await store.recordRun(runLog(names.recentLog, RECENT));
      await store.commit({ ...changeSet("DEMO", [insert("QUEUE", { title: "t" })]), runId: names.inHistory });
      await store.recordRun(runLog(names.inHistory, OLD));
      await store.commit({
        ...changeSet("DEMO", []),
        runId: names.idempotent,
        idempotencyKey: `k:${randomUUID()}:0`,
      });
      await store.recordRun(runLog(names.idempotent, OLD));

      const counts = await trimOlderThan(store, queue, new Date(NOW - 30 * DAY_MS), 100);

      expect(counts).toEqual({ queueRuns: 2, runLog: 251 });
      expect(await ids(store, "queue_runs")).toEqual([names.pending, names.recentFinished].sort());
      expect(await ids(store, "action_runs")).toEqual(
        [names.pending, names.inHistory, names.idempotent, names.recentLog].sort(),
      );
      expect(await store.getRunRecording(names.plain)).toBeNull();
      expect(await store.getRunRecording(names.pending)).toBe(`{"run":"${names.pending}"}`);
      // A second pass finds nothing more to do.
      expect(await trimOlderThan(store, queue, new Date(NOW - 30 * DAY_MS), 100)).toEqual({
        queueRuns: 0,
        runLog: 0,
      });
    });

    it("runs on its timer once per tick across two nodes, and logs what it trimmed", async () => {
      const { store, queue } = node;
      const clock = new FakeClock(NOW);
      const logged: object[] = [];
      const log = {
        info: (details: object) => logged.push(details),
        error: (details: object) => logged.push(details),
      };
      const old = `old-${randomUUID()}`;
      await store.recordRun(runLog(old, OLD));
      // Two nodes on one store: each claims the hour's tick; one wins and trims.
      const nodes = [
        startRetention(store, queue, log, { days: 30, clock }),
        startRetention(store, queue, log, { days: 30, clock }),
      ];
      await clock.whenTimers(2);
      await Promise.all(nodes.map((n) => n.stop()));
      expect(logged).toEqual([expect.objectContaining({ runLog: 1, queueRuns: 0, days: 30 })]);
      expect(await ids(store, "action_runs")).not.toContain(old);
      // Off (0 days): no timer, nothing trimmed.
      await store.recordRun(runLog(old, OLD));
      const off = startRetention(store, queue, log, { days: 0, clock });
      await off.stop();
      expect(await ids(store, "action_runs")).toContain(old);
    });
  });
}

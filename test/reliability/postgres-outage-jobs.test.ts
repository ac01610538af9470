/**
 * A Postgres outage while queued jobs run, under a real `serve` process on a throwaway cluster
 * (never the shared one): the node stays up through two crash-like outages, says so on /health,
 * and finishes every job exactly once by itself when the database is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.ts";
import { type OutageStage, startOutageStage } from "../helpers/outage-stage.ts";

const RECORDS = 10;
const JOBS_PER_RECORD = 30;

let stage: OutageStage;

beforeAll(async () => {
  stage = await startOutageStage("app-queue", {
    COMIND_DB_ACQUIRE_TIMEOUT_MS: "2000",
    // The test queues its jobs as fast as it can: the enqueue rate quota is not under test here.
    COMIND_ENQUEUE_BURST_PER_USER: "10000",
    COMIND_ENQUEUE_BURST_PER_APP: "10000",
  });
});
afterAll(async () => {
  if (process.env.DEBUG_OUTAGE) console.log(stage?.serve.alive(), stage?.serve.output().slice(-6000));
  await stage?.close();
});

const call = (path: string, body?: unknown) => stage.call(path, body);

async function counts(ids: string[]): Promise<number[]> {
  const listed = await call("/api/w/DEMO/a/QUEUE/tickets/list", { limitRecords: 1000 });
  const byId = new Map<string, number>(listed.body.map((r: any) => [r.id, r.c_attempts ?? 0]));
  return ids.map((id) => byId.get(id) ?? -1);
}

describe("Postgres outage with jobs running", () => {
  it("keeps the node up through two outages and runs every queued job exactly once", async () => {
    const added = await call(
      "/api/tickets/multi",
      Array.from({ length: RECORDS }, () => ({ transition: "add", app_alias: "QUEUE" })),
    );
    expect(added.status).toBe(200);
    const ids = added.body.map((item: any) => item.data.id as string);

    for (let outage = 1; outage <= 2; outage++) {
      // Batches of one job per record (the batch limit is 100 items).
      for (let round = 0; round < JOBS_PER_RECORD; round++) {
        const queued = await call(
          "/api/tickets/multi",
          ids.map((id: string) => ({ id, transition: "slow_count", async: true })),
        );
        expect(queued.status, JSON.stringify(queued.body).slice(0, 300)).toBe(200);
        expect(queued.body.every((item: any) => item.queued === true)).toBe(true);
      }

      // The outage hits while the node is taking those jobs.
      await stage.cluster.stop("immediate");
      await eventually(async () => (await call("/health")).status === 503, 60_000);
      expect(stage.serve.alive()).toBe(true);
      expect((await call("/health/live")).status).toBe(200);

      await stage.cluster.start();
      await eventually(async () => (await call("/health")).status === 200, 60_000);
      // Every job of this round runs once, without anyone restarting the node.
      await eventually(
        async () => (await counts(ids)).every((count) => count === outage * JOBS_PER_RECORD),
        120_000,
      );
      expect(stage.serve.alive()).toBe(true);
    }
    expect(await counts(ids)).toEqual(ids.map(() => 2 * JOBS_PER_RECORD));
    // Neither Node's default (the process ends) nor the server's safety net had anything to catch.
    expect(stage.serve.output()).not.toMatch(/Unhandled|unhandled promise rejection/);
  }, 400_000);
});

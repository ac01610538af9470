import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { POSTGRES } from "../helpers/engines.ts";
import { queueContract } from "./contract.ts";
import { SQL, toPg } from "../../runtime/queue/run-sql.ts";
import { graphileSchemaOf, type QueueNode, startQueueNode } from "./harness.ts";
import { quotaContract } from "./quota-contract.ts";

queueContract(POSTGRES);
quotaContract(POSTGRES);

describe("graphile jobs (postgres)", () => {
  let node: QueueNode;
  beforeAll(async () => {
    node = await startQueueNode(POSTGRES);
  });
  afterAll(async () => node?.close(), 60_000);

  it("adds a run on a record to the record's named queue, with the run's attempt limit (app settings)", async () => {
    const recordId = randomUUID();
    await node.queue.add({
      runId: randomUUID(),
      workspace: "DEMO",
      app: "QUEUE",
      action: "mark",
      recordId,
      caller: asDeveloper(),
      source: "test",
      maxAttempts: 7,
      runAt: new Date(Date.now() + 3_600_000),
    });
    const db = new pg.Client({ connectionString: node.storeOptions.databaseUrl });
    await db.connect();
    try {
      // graphile's public `jobs` view
      const { rows } = await db.query(
        `SELECT queue_name, max_attempts FROM ${graphileSchemaOf(node.storeOptions)}.jobs WHERE queue_name = $1`,
        [`rec:DEMO:${recordId}`],
      );
      expect(rows).toEqual([{ queue_name: `rec:DEMO:${recordId}`, max_attempts: 7 }]);
    } finally {
      await db.end();
    }
  });

  it("gives up an attempt whose outcome could not be recorded: dead, or succeeded if it had committed", async () => {
    const later = new Date(Date.now() + 3_600_000);
    const add = async () =>
      (
        await node.queue.add({
          runId: randomUUID(),
          workspace: "DEMO",
          app: "QUEUE",
          action: "mark",
          caller: asDeveloper(),
          source: "test",
          maxAttempts: 2,
          runAt: later,
        })
      ).runId;
    const [lost, committed] = [await add(), await add()];
    const db = new pg.Client({ connectionString: node.storeOptions.databaseUrl });
    await db.connect();
    try {
      await db.query(`SET search_path TO ${node.storeOptions.schema}`);
      await db.query("UPDATE queue_runs SET committed_at = now()::text WHERE run_id = $1", [committed]);
      const giveUp = (runId: string, attempt: number) =>
        db.query(toPg(SQL.giveUp), [new Date().toISOString(), "internal_error", "given up", runId, attempt]);
      await giveUp(lost, 2); // a stale report (attempt 1 is the current one): no change
      expect(await node.queue.getRun(lost)).toMatchObject({ status: "queued" });
      await giveUp(lost, 1);
      await giveUp(committed, 1);
      expect(await node.queue.getRun(lost)).toMatchObject({
        status: "dead",
        error: { code: "internal_error", message: "given up" },
      });
      const done = await node.queue.getRun(committed);
      expect(done).toMatchObject({ status: "succeeded" });
      expect(done?.error).toBeUndefined();
    } finally {
      await db.end();
    }
  });
});

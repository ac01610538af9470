/**
 * Idempotency is the run use-case's (runtime/runs/idempotency.ts), not the REST API's: a caller of
 * ActionRuntime itself (no HTTP) gets a retry with the same key answered from the stored answer,
 * the change applied once, and another request under the same key refused.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper, type Idempotency } from "../../runtime/index.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { QUEUE_APP, startQueueNode, type QueueNode } from "../queue/harness.ts";
import { SQLITE } from "../helpers/engines.ts";

let probe: TestRuntime;

beforeAll(async () => {
  probe = await startRuntime();
  await probe.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(async () => {
  await probe.close();
});

const keyed = (key: string, request: unknown): Idempotency => ({ key, operation: "test increment", request });

async function newRecord(): Promise<string> {
  const created = await probe.runtime.run({ app: "PROBE", action: "add", caller: asDeveloper() });
  if (!created.ok) throw new Error(created.error.message);
  return created.recordId;
}

const countOf = async (id: string) => (await probe.store.getRecord("DEMO", id))?.fields.c_count;

describe("ActionRuntime.run with an idempotency key", () => {
  it("answers a retry from the first run's stored result and applies the change once", async () => {
    const recordId = await newRecord();
    const request = { app: "PROBE", action: "increment", recordId, caller: asDeveloper() };
    const first = await probe.runtime.run({ ...request, idempotency: keyed("direct-1", { recordId }) });
    const retry = await probe.runtime.run({ ...request, idempotency: keyed("direct-1", { recordId }) });
    expect(first.ok).toBe(true);
    expect(first.storedAnswer).toBeUndefined();
    expect(retry.storedAnswer).toBe(true);
    const { storedAnswer, ...replayed } = retry;
    expect(replayed).toEqual(JSON.parse(JSON.stringify(first)));
    expect(await countOf(recordId)).toBe(1);
  });

  it("refuses the same key with another request, and keeps keys apart per caller", async () => {
    const recordId = await newRecord();
    const request = { app: "PROBE", action: "increment", recordId, caller: asDeveloper() };
    await probe.runtime.run({ ...request, idempotency: keyed("direct-2", { recordId }) });
    await expect(
      probe.runtime.run({ ...request, idempotency: keyed("direct-2", { recordId, other: true }) }),
    ).rejects.toMatchObject({ code: "idempotency_mismatch" });
    const bob = await probe.runtime.run({
      ...request,
      caller: asDeveloper({ id: "bob", isAdmin: true }),
      idempotency: keyed("direct-2", { recordId }),
    });
    expect(bob.storedAnswer).toBeUndefined();
    expect(await countOf(recordId)).toBe(2);
    await expect(
      probe.runtime.run({ ...request, idempotency: keyed("x".repeat(201), { recordId }) }),
    ).rejects.toMatchObject({ code: "bad_request" });
    expect(await countOf(recordId)).toBe(2);
  });

  it("answers a batch once, with one commit key per item, and keeps no unavailable answer", async () => {
    const caller = asDeveloper();
    const keys: (string | undefined)[] = [];
    let calls = 0;
    const batch = (status: number) => async (itemKey: (index: number) => string | undefined) => {
      calls++;
      keys.push(itemKey(0), itemKey(1));
      return { status, body: { calls } };
    };
    const first = await probe.runtime.answerOnce(caller, keyed("batch-1", [1, 2]), batch(200));
    const retry = await probe.runtime.answerOnce(caller, keyed("batch-1", [1, 2]), batch(200));
    expect(first).toEqual({ status: 200, body: { calls: 1 }, storedAnswer: false });
    expect(retry).toEqual({ status: 200, body: { calls: 1 }, storedAnswer: true });
    expect(calls).toBe(1);
    expect(new Set(keys).size).toBe(2);
    // A 503 is no answer to keep: the retry runs the batch again.
    await probe.runtime.answerOnce(caller, keyed("batch-2", []), batch(503));
    const again = await probe.runtime.answerOnce(caller, keyed("batch-2", []), batch(200));
    expect(again).toMatchObject({ storedAnswer: false, body: { calls: 3 } });
  });
});

describe("ActionRuntime.enqueue with an idempotency key", () => {
  let node: QueueNode;
  beforeAll(async () => {
    node = await startQueueNode(SQLITE, [QUEUE_APP], { idle: true });
  });
  afterAll(async () => {
    await node.close();
  });

  it("answers a retry with the first run's id and queues it once", async () => {
    const run = { app: "QUEUE", action: "quick", caller: asDeveloper(), source: "async" };
    const first = await node.runtime.enqueue({ ...run, idempotency: keyed("queued-1", {}) });
    const retry = await node.runtime.enqueue({ ...run, idempotency: keyed("queued-1", {}) });
    expect(retry).toEqual({ runId: first.runId, storedAnswer: true });
    const runs = await node.queue.listRuns({ workspace: "DEMO", app: "QUEUE", limit: 100 });
    expect(runs.map((each) => each.runId)).toEqual([first.runId]);
  });
});

/**
 * Enqueue quotas through the REST API (SQLite node that takes no jobs, fastify inject): 429
 * `rate_limited` with Retry-After on `?async=true` and on tickets/multi async items, other users
 * unaffected, the app's limit, webhooks, and the per-user rate (a stepped clock, no sleeps).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../runtime/queue/index.ts";
import { SQLITE } from "../helpers/engines.ts";
import { authAs, startQueueApi } from "../helpers/server.ts";
import { HOOK_SECRET, startQueueNode, type QueueNode } from "./harness.ts";

let clock = 1_000_000;
let node: QueueNode;
let server: FastifyInstance;
const headers: Record<string, { authorization: string }> = {};

beforeAll(async () => {
  node = await startQueueNode(SQLITE, undefined, {
    idle: true,
    now: () => clock,
    quotas: { pendingPerUser: 3, pendingPerApp: 8 },
  });
  server = await startQueueApi(node);
  for (const id of ["alice", "bob", "carol", "dave", "erin"])
    headers[id] = await authAs(node.store, { id, name: id, isAdmin: false });
});
afterAll(async () => {
  await server?.close();
  await node?.close();
});

const asyncAction = (user: string) =>
  server.inject({
    method: "POST",
    url: "/api/apps/DEMO/QUEUE/actions/quick?async=true",
    headers: headers[user],
    payload: {},
  });
const multi = (user: string, items: number, key?: string) =>
  server.inject({
    method: "POST",
    url: "/api/tickets/multi",
    headers: { ...headers[user], ...(key ? { "idempotency-key": key } : {}) },
    payload: Array.from({ length: items }, () => ({ transition: "add", app_alias: "QUEUE", async: true })),
  });
const pendingOf = async (actor?: string) =>
  (await node.queue.listRuns({ workspace: "DEMO", app: "QUEUE", actor, limit: 1000 })).filter(
    (run) => run.status === "queued",
  ).length;

describe("enqueue quotas over REST", () => {
  it("answers ?async=true over a user's pending limit with 429 rate_limited and Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await asyncAction("alice")).statusCode).toBe(202);
    const refused = await asyncAction("alice");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(refused.json().error).toMatchObject({ code: "rate_limited" });
    expect(refused.json().error.message).toContain("retry once some have finished");
    expect(await pendingOf("alice")).toBe(3);
    // Another user of the same app is not held back.
    expect((await asyncAction("bob")).statusCode).toBe(202);
  });

  it("answers a synchronous action whose logic's enqueue is over the limit with 429 and Retry-After", async () => {
    // alice holds her 3 pending runs (above): the logic's ComindServer.enqueue is refused, uncaught.
    const refused = await server.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/enqueue_many",
      headers: headers.alice,
      payload: { values: { c_need: 1 } },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe("rate_limited");
    expect(refused.headers["retry-after"]).toBe("5");
  });

  it("stops a tickets/multi batch at the async item over the limit with 429, listing the items before it", async () => {
    const reply = await multi("carol", 4, "carol-batch");
    expect(reply.statusCode).toBe(429);
    expect(reply.headers["retry-after"]).toBe("5");
    const body = reply.json();
    expect(body.error.code).toBe("rate_limited");
    expect(body.results).toHaveLength(4);
    expect(body.results.slice(0, 3).map((item: { queued?: boolean }) => item.queued)).toEqual([
      true,
      true,
      true,
    ]);
    expect(body.results[3]).toMatchObject({ successful: false, error: { code: "rate_limited" } });
    expect(await pendingOf("carol")).toBe(3);
    // A 429 is not kept as the key's answer: once a run finished, the same request runs again.
    await node.queue.finish(body.results[0].runId, { status: "succeeded" });
    const again = await multi("carol", 4, "carol-batch");
    expect(again.headers["idempotent-replayed"]).toBeUndefined();
    expect(again.statusCode).toBe(429);
    expect(again.json().results[0]).toMatchObject({ queued: true });
    expect(again.json().results[0].runId).not.toBe(body.results[0].runId);
    await node.queue.finish(again.json().results[0].runId, { status: "succeeded" });
  });

  it("refuses every user, and webhooks, once the app has its pending limit", async () => {
    // alice 3 + bob 1 + carol 2 (two of hers finished) = 6 of the app's 8
    for (let i = 0; i < 2; i++) expect((await asyncAction("dave")).statusCode).toBe(202);
    const refused = await asyncAction("erin");
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toContain("App QUEUE has 8 runs queued or running");
    const body = '{"event":"paid"}';
    const at = Math.floor(Date.now() / 1000);
    const deliver = () =>
      server.inject({
        method: "POST",
        url: "/api/hooks/DEMO/QUEUE/hook",
        payload: body,
        headers: {
          "content-type": "application/json",
          "x-comind-timestamp": String(at),
          "x-comind-signature": signWebhook(HOOK_SECRET, {
            timestamp: at,
            method: "POST",
            path: "/api/hooks/DEMO/QUEUE/hook",
            body,
          }),
        },
      });
    const hook = await deliver();
    expect(hook.statusCode).toBe(429);
    expect(hook.headers["retry-after"]).toBe("5");
    // A refused delivery is not remembered: the sender's retry of it is not taken for a replay.
    expect((await deliver()).statusCode).toBe(429);
  });
});

describe("enqueue rate over REST", () => {
  let rateNode: QueueNode;
  let rateServer: FastifyInstance;
  beforeAll(async () => {
    rateNode = await startQueueNode(SQLITE, undefined, {
      idle: true,
      now: () => clock,
      quotas: { ratePerUser: 1, burstPerUser: 4, ratePerApp: 2, burstPerApp: 6 },
    });
    rateServer = await startQueueApi(rateNode);
    for (const id of ["alice", "bob", "carol"])
      headers[`rate-${id}`] = await authAs(rateNode.store, { id, name: id, isAdmin: false });
  });
  afterAll(async () => {
    await rateServer?.close();
    await rateNode?.close();
  });
  const enqueue = (user: string) =>
    rateServer.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/quick?async=true",
      headers: headers[`rate-${user}`],
      payload: {},
    });

  it("lets a user enqueue a burst, then one per 1/rate seconds; Retry-After says when", async () => {
    for (let i = 0; i < 4; i++) expect((await enqueue("alice")).statusCode).toBe(202);
    const refused = await enqueue("alice");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.json().error).toMatchObject({ code: "rate_limited" });
    expect(refused.json().error.message).toContain("enqueued too fast");
    clock += 999;
    expect((await enqueue("alice")).statusCode).toBe(429);
    clock += 1;
    expect((await enqueue("alice")).statusCode).toBe(202);
  });

  it("holds all users of an app to the app's rate", async () => {
    // The app's bucket: 6, minus alice's 5, plus 2 refilled in the second that passed = 3.
    for (let i = 0; i < 3; i++) expect((await enqueue("bob")).statusCode).toBe(202);
    const refused = await enqueue("carol");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("1");
    clock += 500; // 2 per second: one token in half a second
    expect((await enqueue("carol")).statusCode).toBe(202);
  });
});

/**
 * The queue through the REST API (SQLite node, fastify inject): async triggers, run documents,
 * failed-run listing, and inbound webhooks with their refusals.
 */
import type { FastifyInstance } from "fastify";
import { asDeveloper } from "../../runtime/index.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../runtime/queue/index.ts";
import { runCli } from "../helpers/cli.ts";
import { SQLITE } from "../helpers/engines.ts";
import { authAs, startQueueApi } from "../helpers/server.ts";
import { HOOK_SECRET, startQueueNode, waitFor, type QueueNode } from "./harness.ts";

let node: QueueNode;
let server: FastifyInstance;
let auth: { authorization: string };
let admin: { authorization: string };

beforeAll(async () => {
  node = await startQueueNode(SQLITE);
  server = await startQueueApi(node);
  admin = await authAs(node.store, { id: "root", name: "Root", isAdmin: true });
  auth = await authAs(node.store, { id: "alice", name: "Alice", isAdmin: false });
});
afterAll(async () => {
  await server?.close();
  await node?.close();
});

const finished = (runId: string, headers = auth) =>
  waitFor(async () => {
    const reply = await server.inject({ method: "GET", url: `/api/runs/${runId}`, headers });
    const doc = reply.json();
    return ["succeeded", "failed", "dead"].includes(doc.status) ? doc : undefined;
  });

describe("async triggers", () => {
  it("answers tickets/multi async items at once and runs them on the queue", async () => {
    const reply = await server.inject({
      method: "POST",
      url: "/api/tickets/multi",
      headers: auth,
      payload: [
        { transition: "add", app_alias: "QUEUE", async: true, c_text: "queued add" },
        { transition: "add", app_alias: "QUEUE", c_text: "sync add" },
      ],
    });
    expect(reply.statusCode).toBe(200);
    const [queued, direct] = reply.json();
    expect(queued).toMatchObject({ successful: true, queued: true });
    expect(typeof queued.runId).toBe("string");
    expect(direct).toMatchObject({ successful: true, created: true });
    const doc = await finished(queued.runId);
    expect(doc).toMatchObject({
      status: "succeeded",
      ok: true,
      created: true,
      entity: { c_text: "queued add" },
    });
    expect(doc.runId).toBe(queued.runId);
  });

  it("runs ?async=true on the action endpoint with 202 and the run id", async () => {
    const created = await node.runtime.run({
      caller: asDeveloper(),
      app: "QUEUE",
      action: "add",
      values: { c_need: 2 },
    });
    expect(created.ok).toBe(true);
    const reply = await server.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/flaky?async=true",
      headers: auth,
      payload: { id: created.recordId },
    });
    expect(reply.statusCode).toBe(202);
    const { runId, queued } = reply.json();
    expect(queued).toBe(true);
    const before = (await server.inject({ method: "GET", url: `/api/runs/${runId}`, headers: auth })).json();
    expect(["queued", "running", "succeeded"]).toContain(before.status);
    const doc = await finished(runId);
    expect(doc).toMatchObject({ status: "succeeded", ok: true, attempt: 2, entity: { c_attempts: 2 } });
  });

  it("answers a retried ?async=true with the same Idempotency-Key with the first run's id, queued once", async () => {
    const created = await node.runtime.run({ caller: asDeveloper(), app: "QUEUE", action: "add" });
    const post = (url: string) =>
      server.inject({
        method: "POST",
        url,
        headers: { ...auth, "idempotency-key": "async-retry-1" },
        payload: { id: created.recordId },
      });
    const first = await post("/api/apps/DEMO/QUEUE/actions/quick?async=true");
    const retry = await post("/api/apps/DEMO/QUEUE/actions/quick?async=true");
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.json()).toEqual(first.json());
    const runs = await node.queue.listRuns({ workspace: "DEMO", app: "QUEUE", actor: "alice", limit: 1000 });
    expect(runs.filter((run) => run.recordId === created.recordId)).toHaveLength(1);
    // The same key on the synchronous endpoint is another request, not a replay of the queued one.
    const sync = await post("/api/apps/DEMO/QUEUE/actions/quick");
    expect(sync.statusCode).toBe(422);
    expect(sync.json().error.code).toBe("idempotency_mismatch");
  });

  it("lists dead and failed runs with GET /api/runs?failed=true", async () => {
    const created = await node.runtime.run({ caller: asDeveloper(), app: "QUEUE", action: "add" });
    const reply = await server.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/always_retry?async=true",
      headers: auth,
      payload: { id: created.recordId },
    });
    const { runId } = reply.json();
    expect(await finished(runId)).toMatchObject({ status: "dead", ok: false, attempt: 4 });
    const list = (
      await server.inject({ method: "GET", url: "/api/runs?app=QUEUE&failed=true", headers: auth })
    ).json();
    expect(list.runs.map((run: { runId: string }) => run.runId)).toContain(runId);
    expect(
      list.runs.every((run: { status: string }) => run.status === "failed" || run.status === "dead"),
    ).toBe(true);
    // The app filter follows the one case rule (runtime/app-alias.ts), on REST as in the CLI.
    const all = (await server.inject({ method: "GET", url: "/api/runs?app=queue", headers: auth })).json();
    expect(all.runs.some((run: { status: string }) => run.status === "succeeded")).toBe(true);
    const cli = await runCli(["runs", "--failed", "--app", "queue", "--data", node.storeOptions.dataDir]);
    expect(cli.code).toBe(0);
    const line = cli.stdout.split("\n").find((text) => text.includes("DEAD after 4 attempts"));
    expect(line).toContain("always_retry FAILED retry_later: upstream says 503");
  });

  it("answers a synchronous run's id from the run log and the commit marker", async () => {
    const reply = await server.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/boom",
      headers: auth,
      payload: {},
    });
    const { runId } = reply.json();
    const doc = (await server.inject({ method: "GET", url: `/api/runs/${runId}`, headers: auth })).json();
    expect(doc).toMatchObject({
      runId,
      committed: false,
      run: { ok: false, action: "boom", errorCode: "logic_error" },
    });
  });

  it("refuses unknown runs, unknown actions and unauthenticated reads", async () => {
    const unknown = await server.inject({ method: "GET", url: "/api/runs/nope", headers: auth });
    expect(unknown.json()).toMatchObject({ committed: false, run: null });
    expect((await server.inject({ method: "GET", url: "/api/runs" })).statusCode).toBe(401);
    const reply = await server.inject({
      method: "POST",
      url: "/api/apps/DEMO/QUEUE/actions/nope?async=true",
      headers: auth,
      payload: {},
    });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error.code).toBe("unknown_action");
  });
});

describe("webhooks", () => {
  const url = "/api/hooks/DEMO/QUEUE/hook";
  const send = (body: string, headers: Record<string, string>) =>
    server.inject({
      method: "POST",
      url,
      payload: body,
      headers: { "content-type": "application/json", ...headers },
    });
  const signed = (body: string, at = Math.floor(Date.now() / 1000), secret = HOOK_SECRET, path = url) => ({
    "x-comind-timestamp": String(at),
    "x-comind-signature": signWebhook(secret, { timestamp: at, method: "POST", path, body }),
  });

  it("runs a correctly signed delivery on the queue; the logic reads ComindServer.request", async () => {
    const body = JSON.stringify({ event: "paid", amount: 12 });
    const reply = await send(body, { ...signed(body), "x-test": "hello", authorization: "Bearer upstream" });
    expect(reply.statusCode).toBe(202);
    const { runId } = reply.json();
    // A webhook's run belongs to the system caller "system:webhook": other users may not read it, admins may.
    const other = await server.inject({ method: "GET", url: `/api/runs/${runId}`, headers: auth });
    expect(other.statusCode).toBe(403);
    const doc = await finished(runId, admin);
    expect(doc).toMatchObject({ status: "succeeded", ok: true, source: "webhook", actor: "system:webhook" });
    expect(doc.entity).toMatchObject({ c_text: body, c_last: "hello", c_ids: "clean" });
  });

  it("refuses a bad signature, missing headers and a stale timestamp with 401", async () => {
    const body = '{"event":"paid"}';
    const wrongSecret = await send(body, signed(body, undefined, "not-the-secret"));
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json().error.code).toBe("unauthorized");
    const tampered = await send('{"event":"refund"}', signed(body));
    expect(tampered.statusCode).toBe(401);
    expect((await send(body, {})).statusCode).toBe(401);
    const stale = await send(body, signed(body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.message).toContain("5 minutes");
    const future = await send(body, signed(body, Math.floor(Date.now() / 1000) + 6 * 60));
    expect(future.statusCode).toBe(401);
  });

  it("refuses a delivery signed for another app's or action's path with the same secret", async () => {
    const body = '{"event":"paid"}';
    for (const path of ["/api/hooks/DEMO/OTHER/hook", "/api/hooks/DEMO/QUEUE/other", `${url}?x=1`]) {
      const reply = await send(body, signed(body, undefined, HOOK_SECRET, path));
      expect(reply.statusCode).toBe(401);
      expect(reply.json().error.code).toBe("unauthorized");
    }
    // The query string is part of the signed path: signed with it, sent with it, accepted.
    const withQuery = await server.inject({
      method: "POST",
      url: `${url}?source=shop`,
      payload: body,
      headers: {
        "content-type": "application/json",
        ...signed(body, undefined, HOOK_SECRET, `${url}?source=shop`),
      },
    });
    expect(withQuery.statusCode).toBe(202);
  });

  it("refuses a replayed delivery", async () => {
    const body = '{"event":"once"}';
    const headers = signed(body);
    expect((await send(body, headers)).statusCode).toBe(202);
    const replay = await send(body, headers);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe("conflict");
  });

  it("refuses a body over 100 KB with 413", async () => {
    const body = JSON.stringify({ blob: "x".repeat(101 * 1024) });
    const reply = await send(body, signed(body));
    expect(reply.statusCode).toBe(413);
    expect(reply.json().error.code).toBe("payload_too_large");
  });

  it("answers 404 for an action that has no webhook", async () => {
    const body = "{}";
    const reply = await server.inject({
      method: "POST",
      url: "/api/hooks/DEMO/QUEUE/boom",
      payload: body,
      headers: { "content-type": "application/json", ...signed(body) },
    });
    expect(reply.statusCode).toBe(404);
  });
});

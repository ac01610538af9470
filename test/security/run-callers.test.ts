/**
 * Every run names its caller and is authorized by one rule, when it is queued and again when it
 * runs: rights revoked in between fail the run; schedules and webhooks run as system callers an
 * admin grants rights to like a group; nested runAsUser runs with that user's own grants; a run
 * without a caller is refused, never run as an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { ActionRequest } from "../../runtime/actions/index.ts";
import type { ActionRuntime } from "../../runtime/runs/index.ts";
import { asDeveloper } from "../../runtime/index.ts";
import { storedCaller } from "../../runtime/access/index.ts";
import { runJob, SCHEDULE_CALLER } from "../../runtime/jobs/index.ts";
import type { Queue } from "../../runtime/queue/index.ts";
import { createToken } from "../../runtime/server/auth.ts";
import type { Store } from "../../runtime/store/index.ts";
import { type GuardServer, startGuardServer } from "../helpers/guard-server.ts";

let guard: GuardServer;
let store: Store;
let runtime: ActionRuntime;
let queue: Queue;
let server: FastifyInstance;
let runner: string;

const fresh = () => guard.fresh();
/** The runner queues approve on a record (REST ?async=true). */
const queueApprove = (id: string) =>
  server.inject({
    method: "POST",
    url: "/api/apps/DEMO/GUARD/actions/approve?async=true",
    headers: { authorization: `CMW_AUTH_CODE ${runner}` },
    payload: { id },
  });

/** Runs the queued run's one attempt here and now (no job node: the test decides when). */
async function runQueued(runId: string) {
  await runJob(runtime, queue, { runId, attempt: 1 });
  return queue.getRun(runId);
}

beforeAll(async () => {
  guard = await startGuardServer({
    grants: { runners: ["read", "run"], writers: ["read", "write"] },
    users: { runner: { groups: ["runners"] }, writer: { groups: ["writers"] } },
  });
  ({ store, runtime, queue, server } = guard);
  runner = guard.tokens.runner;
  // A route added without declaring who may call it (server/route-access.ts).
  server.get("/api/test/unwired", async () => ({ leaked: true }));
});

afterAll(() => guard?.close());

describe("a queued run is authorized again when it runs", () => {
  it("fails with forbidden when the caller's rights were revoked after it was queued", async () => {
    const id = await fresh();
    const queued = await queueApprove(id);
    expect(queued.statusCode).toBe(202);
    const grant = { workspace: "DEMO", app: "GUARD", group: "runners", permission: "run" } as const;
    await store.directory.revoke(grant);
    try {
      const run = await runQueued(queued.json().runId);
      expect(run).toMatchObject({ status: "failed", error: { code: "forbidden" } });
      expect((await store.getRecord("DEMO", id))?.fields.c_note ?? null).toBeNull();
    } finally {
      await store.directory.grant(grant);
    }
  });

  it("runs it when the rights still hold, as the user who queued it", async () => {
    const id = await fresh();
    const queued = await queueApprove(id);
    expect(await runQueued(queued.json().runId)).toMatchObject({ status: "succeeded" });
    expect((await store.getRecord("DEMO", id))?.fields.c_note).toBe("approved by runner");
  });

  it("reads a run queued before callers were stored as an outside user's (checked in full)", () => {
    expect(storedCaller({ user: { id: "runner" } })).toEqual({ kind: "user", user: { id: "runner" } });
    expect(storedCaller({ caller: { kind: "system", name: "schedule" } })).toEqual(SCHEDULE_CALLER);
    // A forged or broken row never becomes a system or logic caller by accident.
    expect(storedCaller({ caller: { kind: "system", name: "root" } })).toMatchObject({
      kind: "user",
      user: { isUnauthenticated: true },
    });
  });
});

describe("system callers", () => {
  const deliver = (payload: string) => guard.deliverHook(payload);

  it("refuses a webhook on an app whose rights are granted to groups until system:webhook is granted run", async () => {
    const refused = await deliver(JSON.stringify({ n: 1 }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/system:webhook/);
    await store.directory.saveGroup("system:webhook");
    await store.directory.grant({
      workspace: "DEMO",
      app: "GUARD",
      group: "system:webhook",
      permission: "run",
    });
    const accepted = await deliver(JSON.stringify({ n: 2 }));
    expect(accepted.statusCode).toBe(202);
    // A webhook may fire the app's hidden action it is declared for; it runs as system:webhook.
    const run = await runQueued(accepted.json().runId);
    expect(run).toMatchObject({ status: "succeeded", actor: "system:webhook" });
    expect(run?.result).toMatchObject({ entity: { c_note: "hidden by system:webhook" } });
  });

  it("authorizes a schedule's run as system:schedule, never as an admin", async () => {
    const request = { app: "GUARD", action: "approve", caller: SCHEDULE_CALLER } as const;
    await expect(runtime.authorize(request)).rejects.toMatchObject({ code: "forbidden" });
    await store.directory.saveGroup("system:schedule");
    await store.directory.grant({
      workspace: "DEMO",
      app: "GUARD",
      group: "system:schedule",
      permission: "run",
    });
    const user = await runtime.authorize(request);
    expect(user).toMatchObject({ id: "system:schedule", isAdmin: false, isGlobalAdmin: false });
    const result = await runtime.run({ ...request, recordId: await fresh() });
    expect(result.ok && result.entity.c_note).toBe("approved by system:schedule");
  });
});

describe("routes", () => {
  it("refuses a route that declares no access policy to everyone, admins included", async () => {
    const admin = await createToken(store, { id: "root2", name: "Root", isAdmin: true });
    for (const headers of [{}, { authorization: `CMW_AUTH_CODE ${admin}` }]) {
      const reply = await server.inject({ method: "GET", url: "/api/test/unwired", headers });
      expect(reply.statusCode).toBe(403);
      expect(reply.json().error.code).toBe("forbidden");
      expect(reply.body).not.toMatch(/leaked/);
    }
  });
});

describe("nested runs and missing callers", () => {
  it("runs a nested runAsUser transition with that user's own grants (run never implies write)", async () => {
    const target = await fresh();
    // The nested approve sends a value: runAsUser "runner" (read + run) may not, "writer" has no run.
    for (const as of ["runner", "writer"]) {
      const result = await runtime.run({
        app: "GUARD",
        action: "nested_as",
        values: { c_text: target, c_note: as },
        caller: asDeveloper(),
      });
      expect(result.ok ? "ok" : result.error.code).toBe("forbidden");
    }
    expect((await store.getRecord("DEMO", target))?.fields.c_note ?? null).toBeNull();
  });

  it("refuses a run without a caller (a JavaScript caller gets no type error)", async () => {
    const request = { app: "GUARD", action: "approve", recordId: await fresh() } as unknown as ActionRequest;
    const result = await runtime.run(request);
    expect(result.ok ? "ok" : result.error.code).toBe("bad_request");
  });

  it("refuses an outside user's hidden action even for an admin; a developer may run it", async () => {
    const id = await fresh();
    const admin = { id: "root", isAdmin: true };
    const asUser = await runtime.run({
      app: "GUARD",
      action: "hidden_op",
      recordId: id,
      caller: { kind: "user", user: admin },
    });
    expect(asUser.ok ? "ok" : asUser.error.code).toBe("forbidden");
    const asDev = await runtime.run({
      app: "GUARD",
      action: "hidden_op",
      recordId: id,
      caller: asDeveloper(admin),
    });
    expect(asDev.ok).toBe(true);
  });
});

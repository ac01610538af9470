/**
 * Outbound HTTP of worker-run actions is sent from the worker process itself (runtime/sandbox/
 * worker/worker-http.ts), under the policy, budget, deadline and redaction of the action, and its
 * call log comes back to the server's run log. Where a request left from is seen through undici's
 * diagnostics channel in this (the server's) process: a request sent here publishes
 * `undici:request:create`, one sent by a worker does not. Each case runs in process too, as the
 * control that shows the channel does see requests.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import {
  echo,
  startForbiddenServer,
  startLoopbackServer,
  type LoopbackServer,
} from "../helpers/http-test-servers.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const SECRET = "tok-Worker-Secret-81";

let api: LoopbackServer;
let forbidden: LoopbackServer;
let hanging: LoopbackServer;
/** Requests of the hanging server whose client went away. */
const hungUp: Promise<void>[] = [];

/** undici requests created in this process while `fn` runs. */
async function requestsSentHere<T>(fn: () => Promise<T>): Promise<{ value: T; sentHere: number }> {
  let sentHere = 0;
  const count = () => void sentHere++;
  subscribe("undici:request:create", count);
  try {
    return { value: await fn(), sentHere };
  } finally {
    unsubscribe("undici:request:create", count);
  }
}

beforeAll(async () => {
  api = await startLoopbackServer(echo);
  forbidden = await startForbiddenServer();
  hanging = await startLoopbackServer((_req, res: ServerResponse) => {
    hungUp.push(new Promise((resolve) => res.on("close", () => resolve())));
  });
});
afterAll(async () => {
  expect(forbidden.connections).toBe(0);
  await Promise.all([api.close(), forbidden.close(), hanging.close()]);
});

describe.each([
  { mode: "in process (control)", workers: 0 },
  { mode: "worker process", workers: 1 },
])("outbound HTTP, $mode", ({ workers }) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startRuntime({
      workers,
      spareWorkers: 0,
      allowHosts: ["127.0.0.1"],
      secrets: { COMIND_SECRET_HTTP_TOKEN: SECRET },
      limits: { maxRequests: 6 },
    });
    await t.runtime.loadApp(join(FIXTURE_APPS, "app-http"));
    await t.runtime.workers?.whenReady();
  });
  afterAll(async () => t.close());

  const run = (action: string, request: Record<string, unknown>, wallMs?: number) =>
    t.runtime.run({
      caller: asDeveloper(),
      app: "HTTPPROBE",
      action,
      wallMs,
      values: { c_request: { base: api.url, ...request } },
    });
  const expectSentFrom = (sentHere: number) =>
    workers ? expect(sentHere).toBe(0) : expect(sentHere).toBeGreaterThan(0);

  it("reaches a 127.0.0.1 server with the request's headers and body; the run log shows the call", async () => {
    const before = api.received.length;
    const { value: result, sentHere } = await requestsSentHere(() =>
      run("send", {
        path: "/orders/{id}",
        method: "POST",
        segments: [["id", "42"]],
        headers: [["X-Trace", "t-1"]],
        json: { qty: 3 },
        bearer: "tok-1",
      }),
    );
    expectSentFrom(sentHere);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((result.entity.c_response as { ok: boolean }).ok).toBe(true);
    const seen = api.received.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", path: "/orders/42" });
    expect(seen[0].headers).toMatchObject({
      "x-trace": "t-1",
      authorization: "Bearer tok-1",
      "content-type": "application/json",
    });
    expect(JSON.parse(seen[0].body.toString())).toEqual({ qty: 3 });
    const call = { method: "POST", host: `127.0.0.1:${api.port}`, path: "/orders/42", status: 200 };
    expect(result.httpCalls).toEqual([{ ...call, ms: expect.any(Number) }]);
    const logged = await t.store.getRun(result.runId);
    expect(logged?.httpCalls).toEqual([{ ...call, ms: expect.any(Number) }]);
  });

  it("refuses targets off the allow-list and private addresses, and logs the refusals", async () => {
    const { value: results, sentHere } = await requestsSentHere(async () => [
      await run("send", { base: forbidden.url, path: "/x" }),
      await run("send", { base: "http://169.254.169.254", path: "/latest/meta-data" }),
      await run("send", { base: "http://10.0.0.1", path: "/x" }),
      await run("send", { base: `http://localhost:${api.port}`, path: "/x" }),
    ]);
    if (workers) expect(sentHere).toBe(0); // refused before a request exists, in process too
    for (const result of results) {
      expect(result.ok && result.entity.c_response).toMatchObject({ ok: false, code: "egress_denied" });
      expect(result.httpCalls).toEqual([expect.objectContaining({ status: null, error: "egress_denied" })]);
    }
    expect(forbidden.connections).toBe(0);
  });

  it("stops a hanging upstream at the action's deadline and logs the request as timed out", async () => {
    const waiting = hungUp.length;
    const { value: result, sentHere } = await requestsSentHere(() =>
      // The request's own timeout (an hour) is far beyond the action's: only the action's deadline
      // can stop it, and a request it does not stop outlives this test's time limit.
      run("send", { base: hanging.url, path: "/never", timeout: 3_600 }, 1_500),
    );
    expectSentFrom(sentHere);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("timeout");
    expect(result.httpCalls).toEqual([
      expect.objectContaining({ path: "/never", status: null, error: "timeout" }),
    ]);
    // The upstream saw its client go away (if the request reached it before the deadline on a
    // busy machine): the request was aborted, not left open.
    await Promise.all(hungUp.slice(waiting));
  }, 60_000);

  it("keeps secrets out of the call log and out of the errors the logic sees", async () => {
    const sent = await run("send", { path: `/bot${SECRET}/send` });
    expect(sent.httpCalls).toEqual([expect.objectContaining({ path: "/bot***/send", status: 200 })]);
    const refused = await run("send", { base: "http://10.0.0.1", path: `/bot${SECRET}/send` });
    expect(refused.ok && refused.entity.c_response).toMatchObject({ ok: false, code: "egress_denied" });
    expect(JSON.stringify(refused.ok && refused.entity.c_response)).not.toContain(SECRET);
    expect(refused.httpCalls).toEqual([expect.objectContaining({ path: "/bot***/send" })]);
    const logged = JSON.stringify(await t.store.listRuns({ app: "HTTPPROBE" }));
    expect(logged).toContain("/bot***/send");
    expect(logged).not.toContain(SECRET);
  });

  it("counts requests, a download and a nested transition's requests against one budget", async () => {
    const child = await run("send", { path: "/child" });
    if (!child.ok) throw new Error(child.error.message);
    // 1 request + 1 download + 2 in the nested transition = 4 of 6: two more go out, the third is refused.
    const result = await run("chain", { path: "/chain", childId: child.recordId, childCount: 2 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.entity.c_response).toMatchObject({ ok: false, code: "limit_exceeded", sent: 2 });
    expect(result.httpCalls.map((call) => call.status ?? call.error)).toEqual([
      200,
      200,
      200,
      200,
      200,
      200,
      "limit_exceeded",
    ]);
  });
});

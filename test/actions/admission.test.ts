/**
 * Admission control: a bounded number of actions run at once, a bounded number wait (in arrival
 * order, for a bounded time), and one more is refused at once with `overloaded` and a Retry-After,
 * so latency stays bounded under a flood and the server recovers as soon as it stops.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Admission, OVERLOADED_RETRY_AFTER_SECONDS } from "../../runtime/runs/index.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi } from "../helpers/server.ts";

/** Work that ends when the test says so. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, work: () => opened };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

afterEach(() => vi.useRealTimers());

describe("admission", () => {
  it("runs up to maxRunning at once and lets the waiting ones in, in arrival order", async () => {
    const admission = new Admission({ maxRunning: 2, maxWaiting: 10 });
    const gates = [gate(), gate(), gate(), gate()];
    const order: number[] = [];
    const runs = gates.map((g, i) =>
      admission.run(undefined, async () => {
        order.push(i);
        await g.work();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1]);
    expect(admission.stats()).toMatchObject({ running: 2, waiting: 2 });
    gates[1].open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0, refused: 0 });
  });

  it("tells the work whether it waited for its place (what was read before may be stale)", async () => {
    const admission = new Admission({ maxRunning: 1, maxWaiting: 1 });
    const g = gate();
    const first = admission.run(undefined, async (waited) => {
      await g.work();
      return waited;
    });
    const second = admission.run(undefined, async (waited) => waited);
    g.open();
    expect(await Promise.all([first, second])).toEqual([false, true]);
  });

  it("refuses at once, with a Retry-After, when maxWaiting are already waiting", async () => {
    const admission = new Admission({ maxRunning: 1, maxWaiting: 1 });
    const g = gate();
    const first = admission.run(undefined, g.work);
    const second = admission.run(undefined, g.work);
    await expect(admission.run(undefined, g.work)).rejects.toMatchObject({
      code: "overloaded",
      retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
    });
    expect(await settled(second)).toBe(false);
    g.open();
    await Promise.all([first, second]);
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0, refused: 1 });
    // Recovered: the next one runs at once.
    await admission.run(undefined, async () => undefined);
  });

  it("bounds the actions running or waiting on one record", async () => {
    const admission = new Admission({ maxRunning: 10, maxPerRecord: 2 });
    const g = gate();
    const held = [admission.run("r1", g.work), admission.run("r1", g.work)];
    await expect(admission.run("r1", g.work)).rejects.toMatchObject({ code: "overloaded" });
    await admission.run("r2", async () => undefined); // another record is not held up
    g.open();
    await Promise.all(held);
    await admission.run("r1", async () => undefined);
  });

  it("refuses one that waited maxWaitMs without a place, and forgets it", async () => {
    vi.useFakeTimers();
    const admission = new Admission({ maxRunning: 1, maxWaitMs: 1_000 });
    const g = gate();
    const running = admission.run("r", g.work);
    const waiting = admission.run("r", async () => "ran");
    const refused = expect(waiting).rejects.toMatchObject({ code: "overloaded" });
    await vi.advanceTimersByTimeAsync(1_000);
    await refused;
    expect(admission.stats()).toMatchObject({ running: 1, waiting: 0, refused: 1 });
    g.open();
    await running;
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it("gives the place back when the work throws", async () => {
    const admission = new Admission({ maxRunning: 1, maxWaiting: 0 });
    await expect(
      admission.run(undefined, async () => {
        throw new Error("logic failed");
      }),
    ).rejects.toThrow("logic failed");
    await admission.run(undefined, async () => undefined);
  });
});

describe("admission over REST", () => {
  it("answers 503 overloaded with Retry-After at once while the server is full, and recovers", async () => {
    // An upstream that holds each request until the test lets it go: the action waits in RestApi.
    const held: (() => void)[] = [];
    let arrived: () => void = () => undefined;
    const upstream = createServer((_req, res) => {
      held.push(() => res.end("{}"));
      arrived();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const api = await startApi([join(FIXTURE_APPS, "app-http")], {
      runtime: { allowHosts: ["127.0.0.1"], admission: { maxRunning: 1, maxWaiting: 0 } },
    });
    try {
      const added = (
        await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "HTTPPROBE" }])
      ).json();
      const id = added[0].data.id;
      const send = () =>
        api.post("/api/tickets/multi", [{ id, transition: "send", c_request: { base, path: "/slow" } }]);
      const upstreamReached = new Promise<void>((resolve) => (arrived = resolve));
      const first = send();
      await upstreamReached;
      const refused = await send();
      expect(refused.statusCode).toBe(503);
      expect(refused.headers["retry-after"]).toBe(String(OVERLOADED_RETRY_AFTER_SECONDS));
      expect(refused.json().error.code).toBe("overloaded");
      // Refused at the door, before the body is parsed or the credential read: a body that is not
      // JSON and no token get the same 503 (server/early-shed.ts), not a 400 or a 401.
      const atTheDoor = await api.server.inject({
        method: "POST",
        url: "/api/tickets/multi",
        headers: { "content-type": "application/json" },
        payload: "{not json",
      });
      expect(atTheDoor.statusCode).toBe(503);
      expect(atTheDoor.headers["retry-after"]).toBe(String(OVERLOADED_RETRY_AFTER_SECONDS));
      expect(atTheDoor.json().error.code).toBe("overloaded");
      expect(api.runtime.admissionStats().refused).toBe(2);
      for (const release of held) release();
      expect((await first).json()[0].successful).toBe(true);
      const nextReached = new Promise<void>((resolve) => (arrived = resolve));
      const again = send();
      await nextReached;
      for (const release of held) release();
      expect((await again).json()[0].successful).toBe(true);
    } finally {
      await api.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

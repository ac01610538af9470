/**
 * Ready when it says so (issue 27): `/health` is 503 `starting` until the runtime can run an
 * action — its worker processes booted and the start's prewarm done — and an action sent before
 * that waits for the worker and is answered as usual. A worker's boot is held by the test through
 * the `onWorkerBooted` hook, so nothing here depends on how fast the machine is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/auth.ts";
import { startApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let appDir: string;
beforeAll(() => {
  appDir = writeTempApp({}, { alias: "READY" });
});
afterAll(() => removeTempApps());

/** A gate the test opens; `reached` resolves once the code under test is waiting at it. */
function gate() {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return {
    open,
    reached,
    wait: () => {
      reach();
      return opened;
    },
  };
}

describe("readiness of a server with sandbox workers", () => {
  it("/health is 503 starting until the worker booted; an action sent earlier is answered after", async () => {
    const boot = gate();
    const api = await startApi([appDir], {
      runtime: { workers: 1, spareWorkers: 0, onWorkerBooted: () => boot.wait() },
    });
    try {
      const starting = api.runtime.start();
      await boot.reached; // the worker process booted and is held before it takes actions
      const before = await api.get("/health");
      expect(before.statusCode).toBe(503);
      expect(before.headers["retry-after"]).toBeDefined();
      expect(before.json()).toMatchObject({ ok: false, sandbox: "starting", error: { code: "starting" } });
      expect((await api.get("/health/live")).statusCode).toBe(200);

      const admin = {
        authorization: `CMW_AUTH_CODE ${await createToken(api.store, { id: "root", isAdmin: true })}`,
      };
      let answered = false;
      const early = api
        .post("/api/tickets/multi", [{ transition: "add", app_alias: "READY", c_text: "early" }], admin)
        .then((res) => {
          answered = true;
          return res;
        });
      // The action waits for the worker (not answered, not failed).
      for (let i = 0; api.runtime.workers!.waitingRuns === 0 && !answered; i++) {
        if (i > 1000) throw new Error("the early action never reached the workers");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (answered) expect((await early).json()).toBe("not answered before the worker is ready");
      expect(api.runtime.workers!.waitingRuns).toBe(1);
      expect(api.runtime.isReady()).toBe(false);

      boot.open();
      const res = await early;
      expect(res.statusCode).toBe(200);
      expect(res.json()[0]).toMatchObject({ successful: true, data: { c_text: "early" } });
      expect(await starting).toBe(1); // the app's isolate was built ahead of need
      expect(api.runtime.isReady()).toBe(true);
      const after = await api.get("/health");
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({ ok: true, store: "up" });
    } finally {
      boot.open();
      await api.close();
    }
  });

  it("a runtime nobody started (tests, `run`) is ready once its workers booted", async () => {
    const api = await startApi([appDir], { runtime: { workers: 1, spareWorkers: 0 } });
    try {
      await api.runtime.workers!.whenServing();
      expect(api.runtime.isReady()).toBe(true);
      expect((await api.get("/health")).statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });
});

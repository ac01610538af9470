/**
 * Readiness (`/health`) tells a load balancer the truth about this node: the store, and the job
 * runner waiting for its database; liveness (`/health/live`) stays 200 through both.
 */
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { registerHealthRoutes } from "../../runtime/server/health.ts";

async function healthServer(storeUp: boolean, jobsRunning?: boolean) {
  const server = Fastify();
  const store = {
    ping: async () => {
      if (!storeUp)
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    },
  };
  registerHealthRoutes(
    server,
    store as never,
    jobsRunning === undefined ? undefined : { jobsRunning: () => jobsRunning },
  );
  return server;
}

describe("/health", () => {
  it("is ready when the store answers and the job runner runs", async () => {
    const server = await healthServer(true, true);
    const res = await server.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, store: "up", jobs: "up" });
  });

  it("is not ready while the job runner waits for its database, and says why", async () => {
    const server = await healthServer(true, false);
    const res = await server.inject("/health");
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
    expect(res.json()).toMatchObject({
      ok: false,
      store: "up",
      jobs: "restarting",
      error: { code: "queue_unavailable" },
    });
    expect((await server.inject("/health/live")).statusCode).toBe(200);
  });

  it("is not ready when the store does not answer, without leaking the address", async () => {
    const server = await healthServer(false, true);
    const res = await server.inject("/health");
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, store: "down" });
    expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });
});

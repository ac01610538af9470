/**
 * Health for load balancers and process managers: `/health` is readiness (200 when the store
 * answers, 503 `store_unavailable` when it does not), `/health/live` is liveness (200 while the
 * process serves HTTP at all; restart it only when this fails).
 */
import type { FastifyInstance } from "fastify";
import { publicError } from "../errors.ts";
import type { LifecyclePort } from "../store/index.ts";
import { RETRY_AFTER_SECONDS } from "./request-guard.ts";

export function registerHealthRoutes(server: FastifyInstance, store: LifecyclePort): void {
  server.get("/health/live", { schema: { hide: true }, config: { access: "public" } }, async () => ({
    ok: true,
  }));
  server.get("/health", { schema: { hide: true }, config: { access: "public" } }, async (_request, reply) => {
    try {
      await store.ping();
      return { ok: true, store: "up" };
    } catch (error) {
      const { code, message } = publicError(error);
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send({ ok: false, store: "down", error: { code, message } });
    }
  });
}

/**
 * Health for load balancers and process managers: `/health` is readiness (200 when the store
 * answers, 503 `store_unavailable` when it does not, 503 `queue_unavailable` while this node's
 * job runner waits for its database to come back, 503 `starting` until the runtime can run an
 * action: its sandbox workers booted and the installed apps' isolates prepared), `/health/live` is liveness (200 while the
 * process serves HTTP at all; restart it only when this fails: a lost database is not a reason).
 */
import type { FastifyInstance } from "fastify";
import { publicError, RuntimeError } from "../errors.ts";
import type { Queue } from "../queue/index.ts";
import type { LifecyclePort } from "../store/index.ts";
import { RETRY_AFTER_SECONDS } from "./request-guard.ts";

export function registerHealthRoutes(
  server: FastifyInstance,
  store: LifecyclePort,
  queue?: Pick<Queue, "jobsRunning">,
  sandbox?: { isReady(): boolean },
): void {
  server.get("/health/live", { schema: { hide: true }, config: { access: "public" } }, async () => ({
    ok: true,
  }));
  server.get("/health", { schema: { hide: true }, config: { access: "public" } }, async (_request, reply) => {
    if (sandbox && !sandbox.isReady()) {
      const { code, message } = publicError(
        new RuntimeError(
          "starting",
          "The server is starting: its sandbox workers are booting and the apps' isolates being prepared. Actions sent now wait for them.",
        ),
      );
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send({ ok: false, sandbox: "starting", error: { code, message } });
    }
    try {
      await store.ping();
      if (queue && !queue.jobsRunning()) {
        const { code, message } = publicError(
          new RuntimeError(
            "queue_unavailable",
            "The job runner is starting again after losing its database; queued runs wait meanwhile.",
          ),
        );
        return reply
          .code(503)
          .header("retry-after", String(RETRY_AFTER_SECONDS))
          .send({ ok: false, store: "up", jobs: "restarting", error: { code, message } });
      }
      return { ok: true, store: "up", jobs: queue ? "up" : undefined };
    } catch (error) {
      const { code, message } = publicError(error);
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send({ ok: false, store: code === "storage_full" ? "full" : "down", error: { code, message } });
    }
  });
}

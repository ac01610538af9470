/**
 * Health for load balancers and process managers: `/health` is readiness (200 when the store
 * answers, 503 `store_unavailable` when it does not, 503 `queue_unavailable` while this node's
 * job runner waits for its database to come back, 503 `starting` until the runtime can run an
 * action: its sandbox workers booted and the installed apps' isolates prepared), `/health/live` is liveness (200 while the
 * process serves HTTP at all; restart it only when this fails: a lost database is not a reason).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
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
    if (sandbox && !sandbox.isReady())
      return notReady(
        reply,
        { sandbox: "starting" },
        new RuntimeError(
          "starting",
          "The server is starting: its sandbox workers are booting and the apps' isolates being prepared. Actions sent now wait for them.",
        ),
      );
    try {
      await store.ping();
      if (queue && !queue.jobsRunning())
        return notReady(
          reply,
          { store: "up", jobs: "restarting" },
          new RuntimeError(
            "queue_unavailable",
            "The job runner is starting again after losing its database; queued runs wait meanwhile.",
          ),
        );
      return { ok: true, store: "up", jobs: queue ? "up" : undefined };
    } catch (error) {
      const full = publicError(error).code === "storage_full";
      return notReady(reply, { store: full ? "full" : "down" }, error);
    }
  });
}

/** 503 with Retry-After: what is not ready (`state`) and the error that says why. */
function notReady(reply: FastifyReply, state: Record<string, string>, error: unknown) {
  const { code, message } = publicError(error);
  return reply
    .code(503)
    .header("retry-after", String(RETRY_AFTER_SECONDS))
    .send({ ok: false, ...state, error: { code, message } });
}

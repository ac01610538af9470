/**
 * Queuing a run instead of running it now (REST `?async=true`, `"async": true` items of
 * tickets/multi, webhooks): the action must exist and the caller may start it now (checked again
 * when the run runs); the run id is answered at once and GET /api/runs/{runId} tells how it went.
 * With an idempotency key a retry is answered with the first run's id, not queued again.
 */
import type { LoadedApp, RuntimeConfig } from "../actions/index.ts";
import { actorOf } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";
import type { NewRun } from "../queue/index.ts";
import { newRunId } from "../run-id.ts";
import { answerOnce, type Idempotency } from "./idempotency.ts";
import { traceEnqueue } from "./run-span.ts";

export type RunToQueue = Pick<
  NewRun,
  "app" | "action" | "recordId" | "values" | "caller" | "source" | "request"
> & {
  /** A client's idempotency key: a retry gets the first run's id back (`storedAnswer`). */
  idempotency?: Idempotency;
};

export interface QueuedRun {
  runId: string;
  /** The answer of an earlier request with the same idempotency key: nothing was queued now. */
  storedAnswer?: true;
}

/** What queuing needs of the runtime: its config (the queue, the one access rule) and its apps. */
export interface QueueingRuntime {
  config: RuntimeConfig;
  apps: ReadonlyMap<string, LoadedApp>;
  authorize(run: Pick<NewRun, "app" | "action" | "caller" | "values">): Promise<unknown>;
}

export async function enqueueRun(runtime: QueueingRuntime, run: RunToQueue): Promise<QueuedRun> {
  const { config } = runtime;
  const queue = config.queue;
  if (!queue)
    throw new RuntimeError(
      "queue_unavailable",
      "This server runs no job queue; run the action without async.",
    );
  const { idempotency, ...spec } = run;
  const answer = await answerOnce(
    config.store,
    actorOf(run.caller),
    idempotency,
    async () => {
      const app = runtime.apps.get(spec.app);
      if (!app) throw new RuntimeError("not_found", `App ${spec.app.slice(0, 40)} is not installed.`);
      if (!app.actionUids.has(spec.action))
        throw new RuntimeError(
          "unknown_action",
          `Action "${spec.action.slice(0, 64)}" is not defined in app ${app.alias}.`,
        );
      // Checked now and again when the run runs (rights revoked in between fail it with `forbidden`).
      await runtime.authorize(spec);
      const { runId } = await traceEnqueue(app.alias, spec.action, newRunId(), (runId, traceparent) =>
        queue.add({
          ...spec,
          runId,
          workspace: config.workspace,
          maxAttempts: app.queue.retries.maxAttempts,
          traceparent,
        }),
      );
      return { status: 202, body: { runId } };
    },
    config.onInternalError,
  );
  return answer.storedAnswer
    ? { runId: answer.body.runId, storedAnswer: true }
    : { runId: answer.body.runId };
}

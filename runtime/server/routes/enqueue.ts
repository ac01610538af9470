/**
 * Async triggers from the REST API (`"async": true` items of tickets/multi, `?async=true` on the
 * action endpoint): the run is queued and its id returned at once; GET /api/runs/{runId} tells
 * how it went.
 */
import { RuntimeError } from "../../errors.ts";
import type { NewRun, Queue } from "../../queue/index.ts";
import type { ServerContext } from "../context.ts";
import { newRunId } from "../../run-id.ts";

export function queueOf(ctx: ServerContext): Queue {
  if (!ctx.queue)
    throw new RuntimeError(
      "queue_unavailable",
      "This server runs no job queue; run the action without async.",
    );
  return ctx.queue;
}

export async function enqueueRun(
  ctx: ServerContext,
  run: Pick<NewRun, "app" | "action" | "recordId" | "values" | "caller" | "source" | "request">,
): Promise<string> {
  const queue = queueOf(ctx);
  const app = ctx.runtime.apps.get(run.app);
  if (!app) throw new RuntimeError("not_found", `App ${run.app.slice(0, 40)} is not installed.`);
  if (!app.actionUids.has(run.action))
    throw new RuntimeError(
      "unknown_action",
      `Action "${run.action.slice(0, 64)}" is not defined in app ${app.alias}.`,
    );
  // Checked now and again when the run runs (rights revoked in between fail it with `forbidden`).
  await ctx.runtime.authorize(run);
  const { runId } = await queue.add({
    ...run,
    runId: newRunId(),
    workspace: ctx.workspace,
    maxAttempts: app.queue.retries.maxAttempts,
  });
  return runId;
}

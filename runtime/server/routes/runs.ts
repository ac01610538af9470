/**
 * GET /api/runs/{runId}: one run.
 * - A queued run (async trigger, enqueued job, schedule tick, webhook): `status` queued /
 *   running / succeeded / failed / dead, its attempts, and once it ran the same document as a
 *   synchronous run (`ok`, `entity` or `error`, `logs`, `httpCalls`).
 * - Any other run: the truth about it once the database answers again — the way to resolve a
 *   `503 commit_unknown`. `committed` comes from the commit marker written in the same
 *   transaction as the change; `run` is the run-log entry (null when it could not be written,
 *   e.g. because the database was away).
 * GET /api/runs/{runId}/recording: what `comind-runtime replay` needs to re-run it (a download).
 * GET /api/runs?app=&failed=true: queued runs, newest first.
 * Callers see their own runs; admins see every run.
 */
import type { FastifyInstance } from "fastify";
import { type Caller, maySeeRun, runListActor } from "../../access/index.ts";
import { appAliasKey } from "../../app-alias.ts";
import { RuntimeError } from "../../errors.ts";
import type { StoredRun } from "../../queue/index.ts";
import type { ServerContext } from "../context.ts";
import { queueOf } from "../context.ts";
import { sendRecording } from "../run-recording.ts";

function checkOwner(user: Caller, owner: string | undefined): void {
  if (owner !== undefined && !maySeeRun(user, owner))
    throw new RuntimeError("forbidden", "This run was started by another user.");
}

function queuedRunDoc(run: StoredRun) {
  const { spec: _spec, workspace: _workspace, committed, result, ...doc } = run;
  return { ...doc, committed, ...(result ?? {}), runId: run.runId, status: run.status };
}

export function registerRunRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get<{ Params: { id: string } }>(
    "/api/runs/:id",
    { schema: { tags: ["actions"] }, config: { access: "signed-in" } },
    async (request) => {
      const id = request.params.id.slice(0, 100);
      const queued = ctx.queue ? await ctx.queue.getRun(id) : null;
      if (queued && queued.workspace === ctx.workspace) {
        checkOwner(request.user, queued.actor);
        return queuedRunDoc(queued);
      }
      const [run, commit] = await Promise.all([ctx.runs.getRun(id), ctx.runs.findCommit({ runId: id })]);
      checkOwner(request.user, run?.actor ?? commit?.actor);
      return {
        runId: id,
        committed: commit !== null,
        committedAt: commit?.committedAt ?? null,
        recordId: run?.recordId ?? commit?.recordId ?? null,
        run: run && {
          app: run.app,
          action: run.action,
          ok: run.ok,
          errorCode: run.errorCode,
          errorMessage: run.errorMessage,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          logs: run.logs,
        },
      };
    },
  );
  server.get<{ Params: { id: string } }>(
    "/api/runs/:id/recording",
    { schema: { tags: ["runs"] }, config: { access: "signed-in" } },
    async (request, reply) => {
      const id = request.params.id.slice(0, 100);
      const run = await ctx.runs.getRun(id);
      if (!run || run.workspace !== ctx.workspace)
        throw new RuntimeError("not_found", `No run ${id} in workspace ${ctx.workspace}.`);
      checkOwner(request.user, run.actor);
      return sendRecording(ctx.runs, run.id, reply);
    },
  );
  server.get<{ Querystring: { app?: string; failed?: string; status?: string; limit?: number } }>(
    "/api/runs",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["runs"],
        querystring: {
          type: "object",
          properties: {
            app: { type: "string", maxLength: 64 },
            failed: { type: "string", enum: ["true", "false"] },
            status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "dead"] },
            limit: { type: "integer", minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (request) => {
      const { app, failed, status, limit } = request.query;
      const runs = await queueOf(ctx).listRuns({
        workspace: ctx.workspace,
        app: app === undefined ? undefined : appAliasKey(app),
        actor: runListActor(request.user),
        failedOnly: failed === "true",
        status: status as never,
        limit,
      });
      return { runs };
    },
  );
}

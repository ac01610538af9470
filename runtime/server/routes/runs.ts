/**
 * GET /api/runs/{runId}: the truth about one action run once the database answers again — the
 * way to resolve a `503 commit_unknown`. `committed` comes from the commit marker written in the
 * same transaction as the change; `run` is the run-log entry (null when it could not be written,
 * e.g. because the database was away). Callers see their own runs; admins see every run.
 */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";

export function registerRunRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get<{ Params: { id: string } }>(
    "/api/runs/:id",
    { schema: { tags: ["actions"] } },
    async (request) => {
      const id = request.params.id.slice(0, 100);
      const [run, commit] = await Promise.all([ctx.store.getRun(id), ctx.store.findCommit({ runId: id })]);
      const owner = run?.actor ?? commit?.actor;
      if (owner !== undefined && owner !== request.user.id && !request.user.isAdmin)
        throw new RuntimeError("forbidden", "This run was started by another user.");
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
}

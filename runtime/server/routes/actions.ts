/**
 * POST /api/apps/{WS}/{APP}/actions/{uid} (beyond the seed): run one action on a record and get
 * the run result in the CLI's JSON shape. 200 when the action succeeded, the error's status when not.
 */
import type { FastifyInstance } from "fastify";
import { ERROR_CODES, RuntimeError, type ErrorCode } from "../../errors.ts";
import { appByAlias, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { enqueueRun } from "./enqueue.ts";
import { actionBody } from "./schemas.ts";

export function registerActionRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{
    Params: { ws: string; app: string; uid: string };
    Body: { id?: string; values?: Record<string, unknown> };
    Querystring: { async?: string };
  }>(
    "/api/apps/:ws/:app/actions/:uid",
    {
      schema: {
        body: actionBody,
        querystring: { type: "object", properties: { async: { type: "string", enum: ["true", "false"] } } },
        tags: ["actions"],
      },
    },
    async (request, reply) => {
      checkWorkspace(ctx, request.params.ws);
      const app = appByAlias(ctx, request.params.app);
      const { id, values } = request.body ?? {};
      if (request.query.async === "true") {
        if (id && !(await ctx.store.getRecord(ctx.workspace, id)))
          throw new RuntimeError(
            "not_found",
            `Record ${id.slice(0, 100)} does not exist in workspace ${ctx.workspace}.`,
          );
        const runId = await enqueueRun(ctx, {
          app: app.alias,
          action: request.params.uid,
          recordId: id,
          values: values ?? {},
          user: request.user,
          source: "async",
        });
        reply.code(202);
        return { ok: true, queued: true, runId };
      }
      const result = await ctx.runtime.run({
        app: app.alias,
        action: request.params.uid,
        recordId: id,
        values: values ?? {},
        user: request.user,
        source: "rest",
        wallMs: remainingMs(request.deadline),
      });
      if (result.ok)
        return {
          ok: true,
          entity: result.entity,
          logs: result.logs,
          runId: result.runId,
          created: result.created,
          httpCalls: result.httpCalls,
        };
      reply.code(ERROR_CODES[result.error.code as ErrorCode]?.status ?? 500);
      return {
        ok: false,
        error: result.error,
        logs: result.logs,
        runId: result.runId,
        httpCalls: result.httpCalls,
      };
    },
  );
}

/**
 * POST /api/apps/{WS}/{APP}/actions/{uid} (beyond the seed): run one action on a record and get
 * the run result in the CLI's JSON shape. 200 when the action succeeded, the error's status when not.
 */
import type { FastifyInstance } from "fastify";
import { runDocument } from "../../actions/index.ts";
import { ERROR_CODES, type ErrorCode } from "../../errors.ts";
import { appByAlias, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { actionBody } from "./schemas.ts";

export function registerActionRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{
    Params: { ws: string; app: string; uid: string };
    Body: { id?: string; values?: Record<string, unknown> };
  }>(
    "/api/apps/:ws/:app/actions/:uid",
    { schema: { body: actionBody, tags: ["actions"] } },
    async (request, reply) => {
      checkWorkspace(ctx, request.params.ws);
      const app = appByAlias(ctx, request.params.app);
      const { id, values } = request.body ?? {};
      const result = await ctx.runtime.run({
        app: app.alias,
        action: request.params.uid,
        recordId: id,
        values: values ?? {},
        user: request.user,
        source: "rest",
        wallMs: remainingMs(request.deadline),
      });
      if (!result.ok) reply.code(ERROR_CODES[result.error.code as ErrorCode]?.status ?? 500);
      return runDocument(result);
    },
  );
}

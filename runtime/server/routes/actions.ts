/**
 * POST /api/apps/{WS}/{APP}/actions/{uid} (beyond the seed): run one action on a record and get
 * the run result in the CLI's JSON shape. 200 when the action succeeded, the error's status when not
 * (503 with Retry-After when the database is away or the commit's outcome is unknown).
 * `If-Match: "<revision>"` (or `revision` in the body) makes it conditional; `Idempotency-Key`
 * makes retries safe.
 */
import type { FastifyInstance } from "fastify";
import { runDocument } from "../../actions/index.ts";
import { ERROR_CODES, type ErrorCode } from "../../errors.ts";
import { appByAlias, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { expectedRevisionOf, revisionFromIfMatch } from "../expected-revision.ts";
import { withIdempotency } from "../idempotency.ts";
import { commitTracker, RETRY_AFTER_SECONDS } from "../request-guard.ts";
import { isUnavailable } from "../unavailable.ts";
import { actionBody } from "./schemas.ts";

export function registerActionRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{
    Params: { ws: string; app: string; uid: string };
    Body: { id?: string; values?: Record<string, unknown>; revision?: unknown };
  }>(
    "/api/apps/:ws/:app/actions/:uid",
    { schema: { body: actionBody, tags: ["actions"] } },
    async (request, reply) => {
      checkWorkspace(ctx, request.params.ws);
      const app = appByAlias(ctx, request.params.app);
      const { id, values } = request.body ?? {};
      const expectedRevision =
        revisionFromIfMatch(request.headers["if-match"]) ?? expectedRevisionOf(request.body);
      return withIdempotency(ctx, request, reply, async (itemKey) => {
        const result = await ctx.runtime.run({
          app: app.alias,
          action: request.params.uid,
          recordId: id,
          values: values ?? {},
          user: request.user,
          source: "rest",
          wallMs: remainingMs(request.deadline),
          expectedRevision: id ? expectedRevision : undefined,
          idempotencyKey: itemKey(0),
          onCommit: commitTracker(request.commits),
        });
        if (result.ok) return { status: 200, body: runDocument(result) };
        if (isUnavailable(result.error.code)) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
        return {
          status: ERROR_CODES[result.error.code as ErrorCode]?.status ?? 500,
          body: runDocument(result),
        };
      });
    },
  );
}

/**
 * POST /api/apps/{WS}/{APP}/actions/{uid} (beyond the seed): run one action on a record and get
 * the run result in the CLI's JSON shape. 200 when the action succeeded, the error's status when not
 * (503 with Retry-After when the database is away or the commit's outcome is unknown).
 * `If-Match: "<revision>"` (or `revision` in the body) makes it conditional; `Idempotency-Key`
 * makes retries safe. `?async=true` queues the action instead (202 with the run id; see
 * GET /api/runs/{runId}).
 */
import type { FastifyInstance } from "fastify";
import { runDocument } from "../../runs/index.ts";
import { answersRetryAfter, ERROR_CODES, RuntimeError } from "../../errors.ts";
import { appByAliasFor, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { expectedRevisionOf, revisionFromIfMatch } from "../expected-revision.ts";
import { idempotencyOf, markReplay } from "../idempotency.ts";
import { commitTracker, RETRY_AFTER_SECONDS } from "../request-guard.ts";
import { runAnswer } from "./response-schemas.ts";
import { actionBody } from "./schemas.ts";

export function registerActionRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{
    Params: { ws: string; app: string; uid: string };
    Body: { id?: string; ids?: string[]; values?: Record<string, unknown>; revision?: unknown };
    Querystring: { async?: string };
  }>(
    "/api/apps/:ws/:app/actions/:uid",
    {
      schema: {
        body: actionBody,
        querystring: { type: "object", properties: { async: { type: "string", enum: ["true", "false"] } } },
        tags: ["actions"],
        response: { 200: runAnswer },
      },
      config: { access: "signed-in", runsActions: true },
    },
    async (request, reply) => {
      checkWorkspace(ctx, request.params.ws);
      const app = await appByAliasFor(ctx, request.params.app, request.user);
      const { id, ids, values } = request.body ?? {};
      if (request.query.async === "true") {
        if (ids) throw new RuntimeError("bad_request", "?async=true runs one action: send `id`, not `ids`.");
        if (id && !(await ctx.records.getRecord(ctx.workspace, id)))
          throw new RuntimeError(
            "not_found",
            `Record ${id.slice(0, 100)} does not exist in workspace ${ctx.workspace}.`,
          );
        const queued = await ctx.runtime.enqueue({
          app: app.alias,
          action: request.params.uid,
          recordId: id,
          values: values ?? {},
          caller: { kind: "user", user: request.caller },
          source: "async",
          // The same key on the sync endpoint is another request: it must not replay this one.
          idempotency: idempotencyOf(request, { async: true, body: request.body ?? null }),
        });
        markReplay(reply, queued.storedAnswer);
        reply.code(202);
        return { ok: true, queued: true, runId: queued.runId };
      }
      const expectedRevision =
        revisionFromIfMatch(request.headers["if-match"]) ?? expectedRevisionOf(request.body);
      const result = await ctx.runtime.run({
        app: app.alias,
        action: request.params.uid,
        recordId: ids ? undefined : id,
        // A mass action: the logic runs once over `records` (see docs/rest-api.md, "Mass actions").
        recordIds: ids,
        values: values ?? {},
        caller: { kind: "user", user: request.user },
        source: "rest",
        wallMs: remainingMs(request.deadline),
        expectedRevision: id ? expectedRevision : undefined,
        idempotency: idempotencyOf(request),
        onCommit: commitTracker(request.commits),
      });
      markReplay(reply, result.storedAnswer);
      if (result.ok) return reply.code(200).send(runDocument(result));
      // Worth retrying later (the registry says which): the database away, no isolate memory free,
      // a queue quota reached, the server busy or shutting down.
      if (answersRetryAfter(result.error.code)) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
      return reply.code(ERROR_CODES[result.error.code].status).send(runDocument(result));
    },
  );
}

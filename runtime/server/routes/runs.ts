/**
 * GET /api/runs/{runId}: one queued run (`queued` / `running`, then the same document as a
 * synchronous run, `ok` included), or a synchronous run from the run log;
 * GET /api/runs?app=&failed=true: queued runs, newest first.
 */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import { queueOf } from "./enqueue.ts";

export function registerRunRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get<{ Params: { runId: string } }>(
    "/api/runs/:runId",
    {
      schema: {
        tags: ["runs"],
        params: { type: "object", properties: { runId: { type: "string", maxLength: 100 } } },
      },
    },
    async (request) => {
      const run = ctx.queue ? await ctx.queue.getRun(request.params.runId) : null;
      if (!run || run.workspace !== ctx.workspace) {
        const logged = await ctx.store.getRun(request.params.runId);
        if (!logged || logged.workspace !== ctx.workspace)
          throw new RuntimeError("not_found", `Run ${request.params.runId.slice(0, 100)} does not exist.`);
        return {
          runId: logged.id,
          status: logged.ok ? "succeeded" : "failed",
          ok: logged.ok,
          app: logged.app,
          action: logged.action,
          recordId: logged.recordId,
          source: logged.source,
          startedAt: logged.startedAt,
          finishedAt: logged.finishedAt,
          ...(logged.ok ? {} : { error: { code: logged.errorCode, message: logged.errorMessage } }),
          logs: logged.logs,
          httpCalls: logged.httpCalls,
        };
      }
      const { spec: _spec, workspace: _workspace, committed: _committed, result, ...doc } = run;
      return { ...doc, ...(result ?? {}), runId: run.runId, status: run.status };
    },
  );
  server.get<{ Querystring: { app?: string; failed?: string; status?: string; limit?: number } }>(
    "/api/runs",
    {
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
        app: app?.toUpperCase(),
        failedOnly: failed === "true",
        status: status as never,
        limit,
      });
      return { runs };
    },
  );
}

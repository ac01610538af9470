/**
 * GET /api/access-pass?pass={token}: the one record an access pass admits (`ComindServer.getAccessPass`),
 * for a client without an account. The pass is the credential; nothing else is reachable with it.
 */
import type { FastifyInstance } from "fastify";
import { readAccessPass } from "../../access/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import { recordView } from "../record-view.ts";

export function registerAccessPassRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.get<{ Querystring: { pass: string } }>(
    "/api/access-pass",
    {
      config: { access: "access-pass" },
      schema: {
        tags: ["records"],
        querystring: {
          type: "object",
          required: ["pass"],
          properties: { pass: { type: "string", minLength: 1, maxLength: 2048 } },
        },
      },
    },
    async (request) => {
      const { recordId, app } = await readAccessPass(ctx.directory, request.query.pass, ctx.workspace);
      const stored = await ctx.records.getRecord(ctx.workspace, recordId);
      const loaded = ctx.runtime.apps.get(app);
      if (!stored || stored.app !== app || !loaded)
        throw new RuntimeError("not_found", "The record of this access pass no longer exists.");
      return recordView(stored, loaded, [], null);
    },
  );
}

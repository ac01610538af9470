/** GET /api/common (who am I), /api/schema/{WS}!{APP}, /api/projects/{WS}!WORKSPACE. */
import type { FastifyInstance } from "fastify";
import { BASE_ACTIONS, BASE_FIELDS } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import { appByAlias, checkWorkspace, type ServerContext } from "../context.ts";

import { VERSION } from "../../version.ts";

function splitSpec(spec: string): [string, string] {
  const [workspace, name, ...rest] = spec.split("!"); // fastify has already decoded the path parameter
  if (!workspace || !name || rest.length)
    throw new RuntimeError("bad_request", 'Use "<WORKSPACE>!<APP>", e.g. /api/schema/DEMO!CONTACT.');
  return [workspace, name];
}

export function registerInfoRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get("/api/common", { schema: { tags: ["info"] } }, async (request) => ({
    user: {
      id: request.user.id,
      name: request.user.name,
      email: request.user.email ?? null,
      is_admin: Boolean(request.user.isAdmin),
    },
    timezone: "UTC",
    server: {
      name: "comind-runtime",
      version: VERSION,
      workspace: ctx.workspace,
      apps: [...ctx.runtime.apps.keys()],
    },
  }));

  server.get<{ Params: { spec: string } }>(
    "/api/schema/:spec",
    { schema: { tags: ["info"] } },
    async (request) => {
      const [workspace, alias] = splitSpec(request.params.spec);
      checkWorkspace(ctx, workspace);
      const app = appByAlias(ctx, alias);
      const baseFields = Object.entries(BASE_FIELDS).map(([name, type]) => ({
        name,
        caption: name,
        type,
        base: true,
      }));
      return {
        workspace: ctx.workspace,
        app: app.alias,
        titleSingular: app.build.pkg.titleSingular,
        titlePlural: app.build.pkg.titlePlural,
        fields: [...baseFields, ...app.manifest.fields.map((field) => ({ ...field, base: false }))],
        actions: [...BASE_ACTIONS, ...app.manifest.actions],
        lookups: [],
        layouts: [],
      };
    },
  );

  server.get<{ Params: { spec: string } }>(
    "/api/projects/:spec",
    { schema: { tags: ["info"] } },
    async (request) => {
      const [workspace, kind] = splitSpec(request.params.spec);
      if (kind.toUpperCase() !== "WORKSPACE")
        throw new RuntimeError(
          "bad_request",
          'Use "<WORKSPACE>!WORKSPACE", e.g. /api/projects/DEMO!WORKSPACE.',
        );
      checkWorkspace(ctx, workspace);
      return {
        alias: ctx.workspace,
        name: ctx.workspace,
        apps: [...ctx.runtime.apps.values()].map((app) => ({
          alias: app.alias,
          titleSingular: app.build.pkg.titleSingular,
          titlePlural: app.build.pkg.titlePlural,
        })),
        members: [],
        tabs: [],
      };
    },
  );
}

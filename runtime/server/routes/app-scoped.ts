/**
 * Reads of one app — tickets/list, tickets/history (versions), tickets/changed — written once and
 * mounted under every way of naming the app: `/api/w/{WS}/a/{APP}` (workspace + alias),
 * `/api/aid/{APP}` (alias or stable app id) and `/api/pid/{TEMPLATE}` (process template id, as
 * older clients name apps: ../process-templates.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { LoadedApp } from "../../actions/index.ts";
import { appHistory } from "../app-history.ts";
import { appByAliasOrId } from "../app-ids.ts";
import { appByAliasFor, checkRead, checkWorkspace, type ServerContext } from "../context.ts";
import { appByProcessTemplate } from "../process-templates.ts";
import { countChanged, listRecords } from "../records-list.ts";
import { changedAnswer, listAnswer, versionsAnswer } from "./response-schemas.ts";
import { listStyleRoutes } from "./list-style.ts";

type AppResolver = (request: FastifyRequest) => Promise<LoadedApp>;

function appRoutes(ctx: ServerContext, resolveApp: AppResolver) {
  return listStyleRoutes([
    {
      url: "/tickets/list",
      summary: "Records of one app",
      response: listAnswer,
      handler: async (request, params) =>
        listRecords(ctx, params, request.user, (await resolveApp(request)).alias),
    },
    {
      url: "/tickets/history",
      summary: "Every version of the records the filter matches, with field values as of each version",
      response: versionsAnswer,
      handler: async (request, params) =>
        appHistory(ctx, params, request.user, (await resolveApp(request)).alias),
    },
    {
      url: "/tickets/changed",
      summary: "How many records changed or were deleted since sinceTime",
      response: changedAnswer,
      handler: async (request, params) => ({
        status: "ok",
        data: await countChanged(ctx, (await resolveApp(request)).alias, params.sinceTime),
      }),
    },
  ]);
}

type AppParams = { ws?: string; app: string };

export async function registerAppScopedRoutes(server: FastifyInstance, ctx: ServerContext): Promise<void> {
  const byWorkspaceAndAlias: AppResolver = async (request) => {
    const { ws, app } = request.params as AppParams;
    checkWorkspace(ctx, String(ws));
    return appByAliasFor(ctx, app, request.user);
  };
  const byAliasOrId: AppResolver = async (request) =>
    appByAliasOrId(ctx, (request.params as AppParams).app, request.user);
  const byTemplate: AppResolver = async (request) =>
    appByProcessTemplate(ctx, (request.params as AppParams).app);
  // Every route here reads the app's records: the caller needs read access (the one check).
  const readable =
    (resolve: AppResolver): AppResolver =>
    async (request) => {
      const app = await resolve(request);
      await checkRead(ctx, request.user, app.alias);
      return app;
    };
  await server.register(appRoutes(ctx, readable(byWorkspaceAndAlias)), { prefix: "/api/w/:ws/a/:app" });
  await server.register(appRoutes(ctx, readable(byAliasOrId)), { prefix: "/api/aid/:app" });
  await server.register(appRoutes(ctx, readable(byTemplate)), { prefix: "/api/pid/:app" });
}

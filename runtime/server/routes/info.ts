/**
 * GET /api/common (who am I), /api/schema/{WS}!{APP}, /api/projects/{WS}!WORKSPACE (and the
 * legacy forms of ../legacy-workspace.ts). An app's schema needs read on the app; lists of apps
 * name only the apps the caller may read.
 */
import type { FastifyInstance } from "fastify";
import { BASE_ACTIONS, BASE_FIELDS } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { LoadedApp } from "../../actions/index.ts";
import { appIds } from "../app-ids.ts";
import { clientKeys, commonAnswer, timeZoneOf } from "../common-keys.ts";
import { appByAliasFor, checkRead, checkWorkspace, readableApps, type ServerContext } from "../context.ts";
import { checkProjectSpec, legacyWorkspaceKeys } from "../legacy-workspace.ts";

import { VERSION } from "../../version.ts";
import { projectAnswer, schemaAnswer } from "./response-schemas.ts";

function splitSpec(spec: string): [string, string] {
  const [workspace, name, ...rest] = spec.split("!"); // fastify has already decoded the path parameter
  if (!workspace || !name || rest.length)
    throw new RuntimeError("bad_request", 'Use "<WORKSPACE>!<APP>", e.g. /api/schema/DEMO!CONTACT.');
  return [workspace, name];
}

/** An app's fields and actions (GET /api/schema, MCP get_app_schema), with its stable id when given. */
export function appSchemaView(ctx: ServerContext, app: LoadedApp, appId?: string) {
  const baseFields = Object.entries(BASE_FIELDS).map(([name, type]) => ({
    name,
    caption: name,
    type,
    base: true,
  }));
  return {
    workspace: ctx.workspace,
    app: app.alias,
    ...(appId ? { app_id: appId } : {}),
    titleSingular: app.build.pkg.titleSingular,
    titlePlural: app.build.pkg.titlePlural,
    fields: [...baseFields, ...app.manifest.fields.map((field) => ({ ...field, base: false }))],
    actions: [...BASE_ACTIONS, ...app.manifest.actions],
    lookups: [],
    layouts: [],
  };
}

/**
 * The workspace and the apps in `readable` (GET /api/projects, MCP get_workspace), with app ids
 * when given. Pass `readableApps(ctx, user)`: callers see only apps they may read.
 */
export function workspaceView(ctx: ServerContext, readable: string[], ids: Record<string, string> = {}) {
  const shown = new Set(readable);
  return {
    alias: ctx.workspace,
    name: ctx.workspace,
    apps: [...ctx.runtime.apps.values()]
      .filter((app) => shown.has(app.alias))
      .map((app) => ({
        ...(ids[app.alias] ? { id: ids[app.alias] } : {}),
        alias: app.alias,
        titleSingular: app.build.pkg.titleSingular,
        titlePlural: app.build.pkg.titlePlural,
      })),
    members: [],
    tabs: [],
  };
}

export function registerInfoRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get(
    "/api/common",
    { schema: { tags: ["info"], response: { 200: commonAnswer } }, config: { access: "signed-in" } },
    async (request) => ({
      user: {
        id: request.user.id,
        name: request.user.name,
        email: request.user.email ?? null,
        is_admin: Boolean(request.user.isAdmin),
      },
      ...clientKeys(ctx, request.user),
      timezone: timeZoneOf(request.user),
      server: {
        name: "comind-runtime",
        version: VERSION,
        workspace: ctx.workspace,
        // Only the apps this caller may read (an app's name is no business of an outsider's).
        apps: await readableApps(ctx, request.user),
      },
    }),
  );

  server.get<{ Params: { spec: string } }>(
    "/api/schema/:spec",
    { schema: { tags: ["info"], response: { 200: schemaAnswer } }, config: { access: "signed-in" } },
    async (request) => {
      const [workspace, alias] = splitSpec(request.params.spec);
      checkWorkspace(ctx, workspace);
      const app = await appByAliasFor(ctx, alias, request.user);
      await checkRead(ctx, request.user, app.alias);
      return appSchemaView(ctx, app, (await appIds(ctx))[app.alias]);
    },
  );

  server.get<{ Params: { spec: string } }>(
    "/api/projects/:spec",
    { schema: { tags: ["info"], response: { 200: projectAnswer } }, config: { access: "signed-in" } },
    async (request) => {
      checkProjectSpec(ctx, request.params.spec);
      const readable = await readableApps(ctx, request.user);
      return {
        ...workspaceView(ctx, readable, await appIds(ctx)),
        ...(await legacyWorkspaceKeys(ctx, request.user, readable)),
      };
    },
  );
}

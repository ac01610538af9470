/** Apps: each installed app with its build status, actions, fields and secrets (set or missing, never values). */
import { basename } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.ts";
import { appSchemaView } from "../routes/info.ts";
import { renderPage } from "./render.ts";
import { visibleApps } from "./visibility.ts";

export function registerAppsPage(scope: FastifyInstance, ctx: ServerContext): void {
  scope.get("/console/apps", { config: { access: "console" } }, async (request, reply) => {
    const apps = (await visibleApps(ctx, request.user)).map((app) => {
      const schema = appSchemaView(ctx, app);
      return {
        alias: app.alias,
        title: app.build.pkg.titlePlural ?? app.build.pkg.titleSingular ?? app.alias,
        folder: basename(app.dir),
        actions: schema.actions,
        fields: schema.fields.filter((f) => !f.base),
        secrets: app.manifest.secretNames.map((name) => ({ name, set: ctx.runtime.secretIsSet(name) })),
        schedules: app.queue.schedules,
        webhooks: app.queue.webhooks,
      };
    });
    const failed = request.user.isAdmin
      ? [...ctx.runtime.appErrors.entries()].map(([dir, error]) => ({ folder: basename(dir), ...error }))
      : [];
    return renderPage(reply, "apps", {
      title: "Apps",
      section: "apps",
      user: request.user,
      workspace: ctx.workspace,
      apps,
      failed,
    });
  });
}

/**
 * Apps named by their process template id, the way older Comind clients name an app
 * (`process_template_id` on a tickets/multi item, `/api/pid/{template}/tickets/list`). An app's id
 * is `comindApp.processTemplateId` in its package.json, else `default-<package name without its
 * scope>` (runtime/bundle/app-package.ts). A declared id wins over a derived one; two apps with
 * the same id (both declared, or both derived and none declared) name neither: the answer says
 * which apps and how to tell them apart, rather than picking one.
 */
import type { LoadedApp } from "../actions/index.ts";
import { RuntimeError } from "../errors.ts";
import type { ServerContext } from "./context.ts";

/** The installed app whose process template id is `templateId` (any letter case). */
export function appByProcessTemplate(ctx: ServerContext, templateId: string): LoadedApp {
  const wanted = String(templateId).trim().toLowerCase();
  const apps = [...ctx.runtime.apps.values()].filter((app) => app.build.pkg.processTemplateId === wanted);
  const declared = apps.filter((app) => app.build.pkg.processTemplateDeclared);
  const candidates = declared.length > 0 ? declared : apps;
  if (candidates.length === 1) return candidates[0];
  const shown = String(templateId).slice(0, 100);
  if (candidates.length > 1)
    throw new RuntimeError(
      "bad_request",
      `Process template id "${shown}" names several apps (${candidates.map((app) => app.alias).join(", ")}); declare a distinct "comindApp": { "processTemplateId": "..." } in each app's package.json.`,
    );
  const known = [...ctx.runtime.apps.values()].map(
    (app) => `${app.build.pkg.processTemplateId} (${app.alias})`,
  );
  throw new RuntimeError(
    "not_found",
    `No app with process template id "${shown}" is installed in workspace ${ctx.workspace}; an app declares its id in package.json as "comindApp": { "processTemplateId": "${shown}" }. Installed: ${known.slice(0, 20).join(", ") || "none"}.`,
  );
}

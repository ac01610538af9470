/**
 * tickets/multi items in the forms older Comind clients send (a PHP/Laravel integration, C#
 * proxies): the app named by `process_template_id` (process-templates.ts), the workspace by
 * `project_id` (its alias here), and attachments nested one level deep
 * (`attachments: [[{ file_uid, title }]]`). The item is rewritten into the current form
 * (`app_alias`, `workspace_alias`, a flat list), so it is then answered like any other item.
 */
import { RuntimeError } from "../errors.ts";
import type { ServerContext } from "./context.ts";
import { appByProcessTemplate } from "./process-templates.ts";

type Item = Record<string, unknown>;

const ATTACHMENT_KEYS = ["attachments", "attachments__list"];

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function appAliasOf(ctx: ServerContext, item: Item): unknown {
  const template = text(item.process_template_id);
  if (!template) return item.app_alias;
  const alias = appByProcessTemplate(ctx, template).alias;
  if (item.app_alias && String(item.app_alias).toUpperCase() !== alias)
    throw new RuntimeError(
      "bad_request",
      `"process_template_id" ${template.slice(0, 100)} is app ${alias}, but "app_alias" says ${String(item.app_alias).slice(0, 40)}; send one of them.`,
    );
  return alias;
}

function workspaceAliasOf(ctx: ServerContext, item: Item): unknown {
  const project = text(item.project_id);
  if (!project) return item.workspace_alias;
  if (project.toUpperCase() !== ctx.workspace.toUpperCase())
    throw new RuntimeError(
      "not_found",
      `"project_id" ${project.slice(0, 60)} is not a workspace here: send the workspace's alias (this server serves ${ctx.workspace}).`,
    );
  if (item.workspace_alias && String(item.workspace_alias).toUpperCase() !== ctx.workspace.toUpperCase())
    throw new RuntimeError(
      "bad_request",
      `"project_id" and "workspace_alias" name different workspaces; send one of them.`,
    );
  return ctx.workspace;
}

/** The item in the current form; an item without legacy keys comes back unchanged. */
export function currentFormOf<T extends Item>(ctx: ServerContext, item: T): T {
  const legacy =
    "process_template_id" in item ||
    "project_id" in item ||
    ATTACHMENT_KEYS.some((key) => Array.isArray(item[key]) && (item[key] as unknown[]).some(Array.isArray));
  if (!legacy) return item;
  const { process_template_id: _template, project_id: _project, ...rest } = item;
  const out: Item = { ...rest };
  const app = appAliasOf(ctx, item);
  if (app !== undefined) out.app_alias = app;
  const workspace = workspaceAliasOf(ctx, item);
  if (workspace !== undefined) out.workspace_alias = workspace;
  for (const key of ATTACHMENT_KEYS)
    if (Array.isArray(item[key])) out[key] = (item[key] as unknown[]).flat(1);
  return out as T;
}

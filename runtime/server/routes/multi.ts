/**
 * POST /api/tickets/multi: a batch of record actions (add / edit / delete / <action uid>). Each
 * item applies its field values, checks the precondition, runs the action's logic and commits or
 * rolls back on its own; the answer lists every item's outcome in order.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ActionResult } from "../../actions/index.ts";
import { isRuntimeError, RuntimeError } from "../../errors.ts";
import { appByAlias, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { multiBody } from "./schemas.ts";
import { viewsOf } from "../record-view.ts";

type Item = Record<string, unknown> & {
  transition: string;
  id?: string;
  app_alias?: string;
  workspace_alias?: string;
};

const META = new Set([
  "transition",
  "id",
  "app_alias",
  "workspace_alias",
  "publishing_alias",
  "project_alias",
]);

function valuesOf(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !META.has(key)));
}

/** Attachments must point at files that exist (uploaded with tus or persisted by logic). */
async function checkAttachments(ctx: ServerContext, values: Record<string, unknown>): Promise<void> {
  for (const key of ["attachments", "attachments__list"]) {
    const list = values[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const uid = (item as { file_uid?: unknown })?.file_uid;
      if (typeof uid === "string" && !(await ctx.store.getFile(uid))) {
        throw new RuntimeError(
          "validation_error",
          `Attachment file_uid "${uid.slice(0, 64)}" does not exist; upload the file first (POST /api/upload-tus).`,
        );
      }
    }
    if (key === "attachments__list") {
      values.attachments = list;
      delete values.attachments__list;
    }
  }
}

async function resolveApp(ctx: ServerContext, item: Item): Promise<string> {
  if (item.workspace_alias) checkWorkspace(ctx, String(item.workspace_alias));
  if (item.transition === "add") {
    if (!item.app_alias)
      throw new RuntimeError("bad_request", 'An "add" item needs "app_alias" (e.g. "CONTACT").');
    return appByAlias(ctx, String(item.app_alias)).alias;
  }
  if (!item.id) throw new RuntimeError("bad_request", `A "${item.transition}" item needs the record "id".`);
  const stored = await ctx.store.getRecord(ctx.workspace, String(item.id));
  if (!stored)
    throw new RuntimeError(
      "not_found",
      `Record ${String(item.id).slice(0, 100)} does not exist in workspace ${ctx.workspace}.`,
    );
  return appByAlias(ctx, stored.app).alias;
}

async function runItem(ctx: ServerContext, request: FastifyRequest, item: Item) {
  try {
    const app = await resolveApp(ctx, item);
    const values = valuesOf(item);
    await checkAttachments(ctx, values);
    const result: ActionResult = await ctx.runtime.run({
      app,
      action: item.transition,
      recordId: item.transition === "add" ? undefined : String(item.id),
      values,
      user: request.user,
      source: "rest",
      wallMs: remainingMs(request.deadline),
    });
    if (!result.ok)
      return {
        successful: false,
        data: result.recordId ? { id: result.recordId } : null,
        warnings: [],
        error: { ...result.error, logs: result.logs },
      };
    const stored =
      item.transition === "delete" ? null : await ctx.store.getRecord(ctx.workspace, result.recordId);
    const data = stored ? (await viewsOf(ctx, [stored], request.user))[0] : { id: result.recordId };
    const outcome =
      item.transition === "add"
        ? { created: true }
        : item.transition === "delete"
          ? { deleted: true }
          : { updated: true };
    return {
      successful: true,
      ...outcome,
      data,
      warnings: result.logs.filter((l) => l.level === "warn").map((l) => l.message),
      logs: result.logs,
    };
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    return {
      successful: false,
      data: item.id ? { id: item.id } : null,
      warnings: [],
      error: { code: error.code, message: error.message, stack: `Error: ${error.message}`, logs: [] },
    };
  }
}

export function registerMultiRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{ Body: Item[] }>(
    "/api/tickets/multi",
    { schema: { body: multiBody, tags: ["records"] } },
    async (request) => {
      const results = [];
      for (const item of request.body) results.push(await runItem(ctx, request, item));
      return results;
    },
  );
}

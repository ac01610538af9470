/**
 * Reading records (seed 000): tickets/list (per app or across the workspace), tickets/search
 * (full text) and tickets/history (field diffs).
 */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import { appByAliasFor, checkRead, readableApps, type ServerContext } from "../context.ts";
import { viewsOf } from "../record-view.ts";
import { listRecords } from "../records-list.ts";
import type { HistoryEntry } from "../../store/index.ts";
import { listStyleRoutes } from "./list-style.ts";
import { historyAnswer, listAnswer, searchAnswer } from "./response-schemas.ts";
import { historyBody, searchBody } from "./schemas.ts";

const MAX_LIMIT = 1000;

/** Kept here for the modules that import them from this one (multi, the MCP tools). */
export { listRecords, viewsOf };
export type { ListParams as ListBody } from "../list-params.ts";

/** A history entry as tickets/history (and the MCP list_history tool) return it. */
export function historyView(entry: HistoryEntry) {
  return {
    id: entry.recordId,
    app: entry.app,
    revision: entry.revision,
    version_account: entry.actor,
    version_timestamp: entry.timestamp,
    transition: entry.transition,
    action: entry.action,
    comment: entry.comment,
    changes: entry.changes.map((c) => ({ field: c.field, old_value: c.old, new_value: c.new })),
  };
}

export function registerTicketRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.register(
    listStyleRoutes([
      {
        url: "/api/tickets/list",
        summary: "Records of every app of the workspace",
        response: listAnswer,
        handler: async (request, params) => listRecords(ctx, params, request.user, undefined),
      },
    ]),
  );

  server.post<{
    Body: { query?: string; text?: string; app_alias?: string; limitRecords?: number; skipRecords?: number };
  }>(
    "/api/tickets/search",
    {
      schema: { body: searchBody, tags: ["records"], response: { 200: searchAnswer } },
      config: { access: "signed-in" },
    },
    async (request) => {
      const { query, text, app_alias: appAlias, limitRecords, skipRecords } = request.body ?? {};
      const words = query ?? text;
      if (!words || !String(words).trim())
        throw new RuntimeError("bad_request", 'Send the words to search for: { "query": "acme invoice" }.');
      const app = appAlias ? (await appByAliasFor(ctx, appAlias, request.user)).alias : undefined;
      if (app) await checkRead(ctx, request.user, app);
      const readable = new Set(await readableApps(ctx, request.user));
      const found = await ctx.records.searchRecords({
        workspace: ctx.workspace,
        app,
        text: String(words),
        limit: Math.min(limitRecords ?? 10, MAX_LIMIT),
        offset: skipRecords ?? 0,
      });
      const records = found.filter((record) => readable.has(record.app));
      return viewsOf(ctx, records, request.user);
    },
  );

  server.post<{ Body: { id?: string; ids?: string[]; since?: string; limit?: number } }>(
    "/api/tickets/history",
    {
      schema: { body: historyBody, tags: ["records"], response: { 200: historyAnswer } },
      config: { access: "signed-in" },
    },
    async (request) => {
      const { id, ids, since, limit } = request.body ?? {};
      const recordIds = [...(id ? [id] : []), ...(ids ?? [])];
      if (recordIds.length === 0)
        throw new RuntimeError(
          "bad_request",
          'Name the record: { "id": "<record id>" } or { "ids": [...] }.',
        );
      const entries = [];
      const readable = new Set(await readableApps(ctx, request.user));
      for (const recordId of recordIds.slice(0, 100)) {
        for (const entry of await ctx.history.history(ctx.workspace, recordId, {
          since,
          limit: Math.min(limit ?? 100, MAX_LIMIT),
        })) {
          if (readable.has(entry.app)) entries.push(historyView(entry));
        }
      }
      return entries;
    },
  );
}

/**
 * Reading records (seed 000): tickets/list (per app or across the workspace), tickets/search
 * (full text) and tickets/history (field diffs).
 */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { FilterNode } from "../../store/index.ts";
import { appByAlias, checkWorkspace, type ServerContext } from "../context.ts";
import { viewsOf } from "../record-view.ts";
import { parseRlx } from "../rlx/parse.ts";
import { historyBody, listBody, searchBody } from "./schemas.ts";
import type { CurrentUser } from "../../../globals/app-types.ts";

interface ListBody {
  rlx?: string;
  limitRecords?: number;
  skipRecords?: number;
  sortBy?: string;
  listOfFields?: string;
}

const MAX_LIMIT = 1000;

async function list(
  ctx: ServerContext,
  body: ListBody,
  user: CurrentUser,
  app: string | undefined,
  technical: boolean,
) {
  const installed: FilterNode = {
    kind: "in",
    field: "publishing_alias",
    values: [...ctx.runtime.apps.keys()],
    negate: false,
  };
  const rlx = parseRlx(body.rlx ?? "", { currentUser: user.id });
  const filter: FilterNode = rlx ? { kind: "and", items: [installed, rlx] } : installed;
  const base = { workspace: ctx.workspace, app, filter };
  const limit = Math.min(body.limitRecords ?? 10, MAX_LIMIT);
  const records = await ctx.store.findRecords({
    ...base,
    limit,
    offset: body.skipRecords ?? 0,
    sortBy: body.sortBy ?? "update_date desc",
  });
  const data = await viewsOf(ctx, records, user, body.listOfFields);
  if (!technical) return data;
  const [filteredRecordsCount, unfilteredRecordsCount] = await Promise.all([
    ctx.store.countRecords(base),
    ctx.store.countRecords({ workspace: ctx.workspace, app, filter: installed }),
  ]);
  return { data, filteredRecordsCount, unfilteredRecordsCount };
}

const technical = (query: unknown) =>
  String((query as Record<string, unknown>)?.withTechnicalData ?? "") === "true";

export function registerTicketRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{ Params: { ws: string; app: string }; Body: ListBody }>(
    "/api/w/:ws/a/:app/tickets/list",
    { schema: { body: listBody, tags: ["records"] } },
    async (request) => {
      checkWorkspace(ctx, request.params.ws);
      const app = appByAlias(ctx, request.params.app);
      return list(ctx, request.body ?? {}, request.user, app.alias, technical(request.query));
    },
  );

  server.post<{ Body: ListBody }>(
    "/api/tickets/list",
    { schema: { body: listBody, tags: ["records"] } },
    async (request) => list(ctx, request.body ?? {}, request.user, undefined, technical(request.query)),
  );

  server.post<{
    Body: { query?: string; text?: string; app_alias?: string; limitRecords?: number; skipRecords?: number };
  }>("/api/tickets/search", { schema: { body: searchBody, tags: ["records"] } }, async (request) => {
    const { query, text, app_alias: appAlias, limitRecords, skipRecords } = request.body ?? {};
    const words = query ?? text;
    if (!words || !String(words).trim())
      throw new RuntimeError("bad_request", 'Send the words to search for: { "query": "acme invoice" }.');
    const app = appAlias ? appByAlias(ctx, appAlias).alias : undefined;
    const records = await ctx.store.searchRecords({
      workspace: ctx.workspace,
      app,
      text: String(words),
      limit: Math.min(limitRecords ?? 10, MAX_LIMIT),
      offset: skipRecords ?? 0,
    });
    return viewsOf(ctx, records, request.user);
  });

  server.post<{ Body: { id?: string; ids?: string[]; since?: string; limit?: number } }>(
    "/api/tickets/history",
    { schema: { body: historyBody, tags: ["records"] } },
    async (request) => {
      const { id, ids, since, limit } = request.body ?? {};
      const recordIds = [...(id ? [id] : []), ...(ids ?? [])];
      if (recordIds.length === 0)
        throw new RuntimeError(
          "bad_request",
          'Name the record: { "id": "<record id>" } or { "ids": [...] }.',
        );
      const entries = [];
      for (const recordId of recordIds.slice(0, 100)) {
        for (const entry of await ctx.store.history(ctx.workspace, recordId, {
          since,
          limit: Math.min(limit ?? 100, MAX_LIMIT),
        })) {
          entries.push({
            id: entry.recordId,
            revision: entry.revision,
            version_account: entry.actor,
            version_timestamp: entry.timestamp,
            transition: entry.transition,
            action: entry.action,
            changes: entry.changes.map((c) => ({ field: c.field, old_value: c.old, new_value: c.new })),
          });
        }
      }
      return entries;
    },
  );
}

/**
 * Reading records (seed 000): tickets/list (per app or across the workspace), tickets/search
 * (full text) and tickets/history (field diffs).
 */
import type { FastifyInstance } from "fastify";
import { allowedTransitions } from "../../actions/transitions.ts";
import { RuntimeError } from "../../errors.ts";
import type { FilterNode, HistoryEntry, StoredRecord } from "../../store/types.ts";
import { appByAlias, checkWorkspace, type ServerContext } from "../context.ts";
import { parseListOfFields, recordView } from "../record-view.ts";
import { parseRlx } from "../rlx/parse.ts";
import { historyBody, listBody, searchBody } from "./schemas.ts";
import type { CurrentUser } from "../../../globals/app-types.ts";

export interface ListBody {
  rlx?: string;
  limitRecords?: number;
  skipRecords?: number;
  sortBy?: string;
  listOfFields?: string;
}

const MAX_LIMIT = 1000;

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
    changes: entry.changes.map((c) => ({ field: c.field, old_value: c.old, new_value: c.new })),
  };
}

/** Records -> API views, transitions checked per app in one isolate call each. */
export async function viewsOf(
  ctx: ServerContext,
  records: StoredRecord[],
  user: CurrentUser,
  listOfFields?: unknown,
) {
  const fields = parseListOfFields(listOfFields);
  const byApp = new Map<string, StoredRecord[]>();
  for (const record of records) {
    const group = byApp.get(record.app);
    if (group) group.push(record);
    else byApp.set(record.app, [record]);
  }
  const transitions = new Map<string, string[]>();
  for (const [alias, group] of byApp) {
    const app = ctx.runtime.apps.get(alias);
    if (!app) continue;
    const allowed = await allowedTransitions(ctx.runtime.config, app, group, user);
    for (const [i, record] of group.entries()) transitions.set(record.id, allowed[i]);
  }
  return records
    .filter((r) => ctx.runtime.apps.has(r.app))
    .map((r) => recordView(r, ctx.runtime.apps.get(r.app)!, transitions.get(r.id) ?? [], fields));
}

/** tickets/list: one app's records (or the workspace's), as views; shared with the MCP tools. */
export async function listRecords(
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
      return listRecords(ctx, request.body ?? {}, request.user, app.alias, technical(request.query));
    },
  );

  server.post<{ Body: ListBody }>(
    "/api/tickets/list",
    { schema: { body: listBody, tags: ["records"] } },
    async (request) =>
      listRecords(ctx, request.body ?? {}, request.user, undefined, technical(request.query)),
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
          entries.push(historyView(entry));
        }
      }
      return entries;
    },
  );
}

/**
 * Records: an app's records with an rlx filter box (the REST API's parser; an error is shown at
 * its position), one record's fields and history, and the actions allowed now as buttons.
 */
import type { FastifyInstance } from "fastify";
import { toEntity } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { FilterNode } from "../../store/index.ts";
import { appByAlias, type ServerContext } from "../context.ts";
import { RlxError } from "../../rlx/index.ts";
import { parseRlx } from "../../rlx/index.ts";
import { viewsOf } from "../routes/tickets.ts";
import { cell, renderPage, shortTime } from "./render.ts";
import { runFromConsole } from "./runs-pages.ts";
import { visibleApps } from "./visibility.ts";

const PAGE = 50;
const BASE_COLUMNS = ["title", "state"];

async function visibleApp(ctx: ServerContext, user: Parameters<typeof visibleApps>[1], alias: string) {
  const app = appByAlias(ctx, alias);
  if (!(await visibleApps(ctx, user)).includes(app))
    throw new RuntimeError("not_found", `App ${alias.slice(0, 40)} is not available to you.`);
  return app;
}

export function registerRecordPages(scope: FastifyInstance, ctx: ServerContext): void {
  scope.get("/console/records", { config: { access: "console" } }, async (request, reply) =>
    renderPage(reply, "records-apps", {
      title: "Records",
      section: "records",
      user: request.user,
      workspace: ctx.workspace,
      apps: (await visibleApps(ctx, request.user)).map((a) => a.alias),
    }),
  );

  scope.get<{ Params: { app: string }; Querystring: { rlx?: string; skip?: string } }>(
    "/console/apps/:app/records",
    { config: { access: "console" } },
    async (request, reply) => {
      const app = await visibleApp(ctx, request.user, request.params.app);
      const rlx = String(request.query?.rlx ?? "").slice(0, 10_000);
      const offset = Math.min(Math.max(Number.parseInt(request.query?.skip ?? "0", 10) || 0, 0), 1_000_000);
      let filter: FilterNode | undefined;
      let rlxError: { message: string; position: number; pointer: string } | null = null;
      try {
        filter = parseRlx(rlx, { currentUser: request.user.id });
      } catch (error) {
        if (!(error instanceof RlxError)) throw error;
        rlxError = {
          message: error.message,
          position: error.position,
          // The filter with a caret under the position (shown in a <pre>).
          pointer: `${rlx}\n${" ".repeat(error.position)}^`,
        };
      }
      const query = { workspace: ctx.workspace, app: app.alias, filter };
      const [records, count] = rlxError
        ? [[], 0]
        : await Promise.all([
            ctx.records.findRecords({ ...query, limit: PAGE, offset, sortBy: "update_date desc" }),
            ctx.records.countRecords(query),
          ]);
      const custom = app.manifest.fields.slice(0, 4).map((f) => f.name);
      const columns = [...BASE_COLUMNS, ...custom];
      const pageUrl = (skip: number) =>
        `/console/apps/${app.alias}/records?${new URLSearchParams({ rlx, skip: String(skip) })}`;
      return renderPage(
        reply,
        "records",
        {
          title: `Records of ${app.alias}`,
          section: "records",
          user: request.user,
          workspace: ctx.workspace,
          app: app.alias,
          rlx,
          rlxError,
          count,
          offset,
          columns,
          records: records.map((r) => ({
            id: r.id,
            number: r.number,
            updated: shortTime(r.updateDate),
            cells: Object.fromEntries(columns.map((c) => [c, cell(r.fields[c])])),
          })),
          prev: offset > 0 ? pageUrl(Math.max(offset - PAGE, 0)) : null,
          next: offset + records.length < count ? pageUrl(offset + PAGE) : null,
        },
        rlxError ? 400 : 200,
      );
    },
  );

  const recordOrFail = async (id: string, user: Parameters<typeof visibleApps>[1]) => {
    const record = await ctx.records.getRecord(ctx.workspace, id.slice(0, 100));
    if (!record || !ctx.runtime.apps.has(record.app))
      throw new RuntimeError("not_found", `No record ${id.slice(0, 40)}.`);
    return { record, app: await visibleApp(ctx, user, record.app) };
  };

  scope.get<{ Params: { id: string } }>(
    "/console/records/:id",
    { config: { access: "console" } },
    async (request, reply) => {
      const { record, app } = await recordOrFail(request.params.id, request.user);
      const [view] = await viewsOf(ctx, [record], request.user);
      const entity = toEntity(record.id, record.fields, record, app.schema);
      const history = await ctx.history.history(ctx.workspace, record.id, { limit: 200 });
      return renderPage(reply, "record", {
        title: `${app.alias} #${record.number}`,
        section: "records",
        user: request.user,
        workspace: ctx.workspace,
        app: app.alias,
        record: {
          id: record.id,
          number: record.number,
          revision: record.revision,
          title: cell(record.fields.title),
        },
        updated: shortTime(record.updateDate),
        transitions: (view?.transitions as string[]) ?? [],
        fields: Object.entries(entity)
          .filter(([name]) => name !== "id" && name !== "attachments__list")
          .map(([name, value]) => ({ name, value: cell(value) })),
        history: history
          .slice()
          .reverse()
          .map((h) => ({
            transition: h.transition,
            actor: h.actor,
            when: shortTime(h.timestamp),
            revision: h.revision,
            runId: h.runId,
            changes: h.changes.map((c) => ({ field: c.field, old: cell(c.old), new: cell(c.new) })),
          })),
      });
    },
  );

  scope.post<{ Params: { id: string; uid: string } }>(
    "/console/records/:id/actions/:uid",
    { config: { access: "console" } },
    async (request, reply) => {
      const { record, app } = await recordOrFail(request.params.id, request.user);
      return reply.redirect(
        await runFromConsole(ctx, request, app.alias, request.params.uid.slice(0, 64), {
          recordId: record.id,
        }),
        303,
      );
    },
  );
}

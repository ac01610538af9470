/**
 * Orientation tools: who am I (time zone, system URL, recent activity), which workspaces and apps
 * there are (record counts, members), and an app's schema (fields, lookup values, actions, saved
 * lists). The vendor's clients call these before anything else.
 */
import { z } from "zod";
import { BASE_ACTIONS } from "../../actions/index.ts";
import { appIds } from "../app-ids.ts";
import { timeZoneOf } from "../common-keys.ts";
import { readableApps, type ServerContext } from "../context.ts";
import { appSchemaView, workspaceView } from "../routes/info.ts";
import { appFields, lookupValues, RECORD_COLUMNS } from "./app-fields.ts";
import { People } from "./people.ts";
import { readableApp, servedWorkspace } from "./scope.ts";
import { defineTool, json, workspaceArg } from "./tool.ts";
import { historyViews } from "./views.ts";

const RECENT_ACTIVITY = 10;

async function members(ctx: ServerContext) {
  const admins = new Set(
    (await ctx.directory.directory.workspaceAdmins(ctx.workspace)).map((user) => user.id),
  );
  const users = await ctx.directory.directory.listUsers();
  const person = (user: { id: string; name: string }) => ({ id: user.id, name: user.name });
  return {
    admins: users.filter((user) => user.isGlobalAdmin || admins.has(user.id)).map(person),
    participants: users.filter((user) => !user.isGlobalAdmin && !admins.has(user.id)).map(person),
  };
}

export const whoami = defineTool({
  name: "whoami",
  title: "Who am I",
  description:
    "You (id, name, e-mail, admin or not), your time zone (show date-times in it), the system URL (for links to records) and your recent activity (the last changes you made).",
  args: z.strictObject({}),
  readOnly: true,
  run: async (ctx, caller) => {
    const readable = await readableApps(ctx, caller.user);
    const recent = await ctx.history.historyQuery({
      workspace: ctx.workspace,
      filter: {
        kind: "and",
        items: [
          { kind: "compare", field: "version_account", op: "=", value: caller.user.id },
          { kind: "in", field: "app", values: readable, negate: false },
        ],
      },
      newestFirst: true,
      limit: RECENT_ACTIVITY,
    });
    return json({
      id: caller.user.id,
      name: caller.user.name,
      email: caller.user.email ?? null,
      is_admin: Boolean(caller.user.isAdmin),
      time_zone: timeZoneOf(caller.user),
      system_url: caller.baseUrl,
      workspace: ctx.workspace,
      recent_activity: await historyViews(ctx, recent, new People(ctx, caller.user.id)),
    });
  },
});

export const listWorkspaces = defineTool({
  name: "list_workspaces",
  title: "List workspaces",
  description:
    "The workspaces you can use (this server serves one), with the number of apps you can read in each.",
  args: z.strictObject({}),
  readOnly: true,
  run: async (ctx, caller) =>
    json([
      { alias: ctx.workspace, name: ctx.workspace, apps: (await readableApps(ctx, caller.user)).length },
    ]),
});

export const getWorkspace = defineTool({
  name: "get_workspace",
  title: "Get a workspace",
  description:
    "A workspace: its apps (alias, titles, record counts), its members (admins and participants) and its creation date. Start here to learn which apps exist and which are busy.",
  args: z.strictObject({ alias: workspaceArg }),
  renamed: { workspace: '"alias"' },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.alias);
    const readable = await readableApps(ctx, caller.user);
    const view = workspaceView(ctx, readable, await appIds(ctx));
    const apps = await Promise.all(
      view.apps.map(async (app) => ({
        ...app,
        record_count: await ctx.records.countRecords({ workspace: ctx.workspace, app: app.alias }),
      })),
    );
    // The workspace began with its first change (this server keeps no separate creation record).
    const [first] = await ctx.history.historyQuery({ workspace: ctx.workspace, limit: 1 });
    return json({ ...view, apps, members: await members(ctx), created_at: first?.timestamp ?? null });
  },
});

export const getAppSchema = defineTool({
  name: "get_app_schema",
  title: "Get an app's schema",
  description:
    "An app's fields (db name to use in filters and sorts, caption, type; lookup fields list their values, rich-text fields take HTML), its actions (uid, caption) and its saved lists (alias for list_records' list). Read it before filtering, creating or updating records of the app.",
  args: z.strictObject({
    workspace: workspaceArg.optional(),
    app: z.string().max(64).describe('App alias, e.g. "HELPDESK".'),
  }),
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const app = await readableApp(ctx, caller, args.app);
    const fields = appFields(app).map((field) => ({
      name: field.name,
      caption: field.caption,
      type: field.type,
      ...(field.richText ? { rich_text: true } : {}),
      ...(field.definition?.required ? { required: true } : {}),
      ...(lookupValues(field) ? { lookup_values: lookupValues(field) } : {}),
      ...(field.definition?.lookupApp ? { link_app: field.definition.lookupApp } : {}),
    }));
    const columns = Object.entries(RECORD_COLUMNS).map(([name, c]) => ({ name, ...c, read_only: true }));
    return json({
      ...appSchemaView(ctx, app, (await appIds(ctx))[app.alias]),
      fields: [...fields, ...columns],
      actions: [...BASE_ACTIONS, ...app.manifest.actions.filter((action) => action.visible !== false)].map(
        (action) => ({ uid: action.uid, caption: action.caption ?? action.uid }),
      ),
      lists: app.build.pkg.lists,
    });
  },
});

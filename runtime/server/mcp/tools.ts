/**
 * The MCP tools (the names of Comind.work's own MCP server). Each one is a thin layer over the
 * same functions the REST routes use, so an assistant sees what an API client sees and the
 * caller's permissions apply the same way. Descriptions are written for a model to read.
 */
import { z } from "zod";
import { readableFile } from "../../access/index.ts";
import { toEntity } from "../../actions/index.ts";
import { fileUidOf } from "../../host/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { StoredRecord } from "../../store/index.ts";
import { parseRlx } from "../../rlx/index.ts";
import { appByAliasFor, checkRead, checkWorkspace, readableApps, type ServerContext } from "../context.ts";
import { appIds } from "../app-ids.ts";
import { appSchemaView, workspaceView } from "../routes/info.ts";
import { runItem } from "../routes/multi.ts";
import { historyView, listRecords, viewsOf } from "../routes/tickets.ts";
import { aggregate } from "./aggregate.ts";
import type { Caller } from "./caller.ts";

/** Records read for one aggregation; past it the caller is asked to narrow the filter. */
export const MAX_AGGREGATE_RECORDS = 50_000;
/** History entries read for one aggregation. */
export const MAX_AGGREGATE_HISTORY = 100_000;
/** Files up to this size come back inline (base64) from get_asset. */
export const MAX_EMBEDDED_ASSET_BYTES = 1024 * 1024;

export interface ToolContent {
  /** The JSON answer (sent as text, and as structured content). */
  json: unknown;
  /** Extra MCP content items (e.g. an embedded file). */
  extra?: unknown[];
}

export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: z.ZodRawShape;
  readOnly: boolean;
  run(ctx: ServerContext, caller: Caller, args: any): Promise<ToolContent>;
}

const app = z.string().max(64).describe('App alias, e.g. "CONTACT" (see get_workspace for the list).');
const rlx = z
  .string()
  .max(10_000)
  .describe(
    'Filter in rlx, the REST API\'s filter language, e.g. state="open" AND c_total>100, title~"acme", c_tags in "a,b":string[]. Empty = all records.',
  );

const json = (value: unknown): ToolContent => ({ json: value });

async function readAll(ctx: ServerContext, caller: Caller, alias: string, filterText?: string) {
  const filter = parseRlx(filterText ?? "", { currentUser: caller.user.id }) ?? undefined;
  const records: StoredRecord[] = [];
  const page = 1000;
  for (let offset = 0; ; offset += page) {
    const batch = await ctx.records.findRecords({
      workspace: ctx.workspace,
      app: alias,
      filter,
      limit: page,
      offset,
      sortBy: "creation_date asc",
    });
    records.push(...batch);
    if (records.length > MAX_AGGREGATE_RECORDS)
      throw new RuntimeError(
        "limit_exceeded",
        `More than ${MAX_AGGREGATE_RECORDS} records match; narrow the rlx filter to aggregate them.`,
      );
    if (batch.length < page) return records;
  }
}

/** A record the caller may read (the one access check of runtime/access). */
/** An optional app named by a tool (the caller must be able to read it) and every app the caller may read. */
async function readScope(ctx: ServerContext, caller: Caller, app: string | undefined) {
  const alias = app ? (await appByAliasFor(ctx, app, caller.user)).alias : undefined;
  if (alias) await checkRead(ctx, caller.user, alias);
  return { alias, readable: new Set(await readableApps(ctx, caller.user)) };
}

async function recordOrFail(ctx: ServerContext, caller: Caller, id: string): Promise<StoredRecord> {
  const record = await ctx.records.getRecord(ctx.workspace, id);
  if (!record || !ctx.runtime.apps.has(record.app))
    throw new RuntimeError(
      "not_found",
      `Record ${id.slice(0, 100)} does not exist in workspace ${ctx.workspace}.`,
    );
  await checkRead(ctx, caller.user, record.app);
  return record;
}

/** A multi item's answer as a tool result: failures become tool errors with our code. */
function itemResult(result: Awaited<ReturnType<typeof runItem>>): ToolContent {
  if (!result.successful) {
    throw new RuntimeError(
      result.error?.code ?? "internal_error",
      result.error?.message ?? "The action failed.",
    );
  }
  return json(result);
}

export const TOOLS: McpTool[] = [
  {
    name: "whoami",
    title: "Who am I",
    description: "The signed-in user (id, name, e-mail, admin or not) and the workspace this server serves.",
    inputSchema: {},
    readOnly: true,
    run: async (ctx, caller) =>
      json({
        id: caller.user.id,
        name: caller.user.name,
        email: caller.user.email ?? null,
        is_admin: Boolean(caller.user.isAdmin),
        workspace: ctx.workspace,
      }),
  },
  {
    name: "list_workspaces",
    title: "List workspaces",
    description: "The workspaces you can use (this server serves one), with the number of apps in each.",
    inputSchema: {},
    readOnly: true,
    run: async (ctx, caller) =>
      json([
        { alias: ctx.workspace, name: ctx.workspace, apps: (await readableApps(ctx, caller.user)).length },
      ]),
  },
  {
    name: "get_workspace",
    title: "Get a workspace",
    description: "A workspace and its apps (alias and titles). Start here to learn which apps exist.",
    inputSchema: { workspace: z.string().max(64).describe('Workspace alias, e.g. "DEMO".') },
    readOnly: true,
    run: async (ctx, caller, args: { workspace: string }) => {
      checkWorkspace(ctx, args.workspace);
      return json(workspaceView(ctx, await readableApps(ctx, caller.user), await appIds(ctx)));
    },
  },
  {
    name: "get_app_schema",
    title: "Get an app's schema",
    description:
      "An app's fields (name, caption, type; custom fields start with c_) and actions (uid, caption). Read it before filtering, creating or updating records of the app.",
    inputSchema: { app },
    readOnly: true,
    run: async (ctx, caller, args: { app: string }) => {
      const app = await appByAliasFor(ctx, args.app, caller.user);
      await checkRead(ctx, caller.user, app.alias);
      return json(appSchemaView(ctx, app, (await appIds(ctx))[app.alias]));
    },
  },
  {
    name: "list_records",
    title: "List records",
    description:
      "Records of one app (or of every app when app is omitted) matching an rlx filter, with paging and sorting. Each record has id, number, its fields and the actions allowed on it now (transitions). Returns { data, filteredRecordsCount, unfilteredRecordsCount }.",
    inputSchema: {
      app: app.optional(),
      rlx: rlx.optional(),
      fields: z
        .array(z.string().max(64))
        .max(200)
        .optional()
        .describe("Field names to return (id and technical keys always come back); all fields when omitted."),
      sortBy: z
        .string()
        .max(200)
        .optional()
        .describe('e.g. "update_date desc" (the default) or "c_total asc, title".'),
      limit: z.number().int().min(1).max(1000).optional().describe("Records per page, default 20."),
      skip: z.number().int().min(0).max(1_000_000_000).optional().describe("Records to skip (paging)."),
    },
    readOnly: true,
    run: async (
      ctx,
      caller,
      args: { app?: string; rlx?: string; fields?: string[]; sortBy?: string; limit?: number; skip?: number },
    ) => {
      const alias = args.app ? (await appByAliasFor(ctx, args.app, caller.user)).alias : undefined;
      return json(
        await listRecords(
          ctx,
          {
            rlx: args.rlx,
            listOfFields: args.fields?.join(","),
            sortBy: args.sortBy,
            limitRecords: args.limit ?? 20,
            skipRecords: args.skip,
          },
          caller.user,
          alias,
          true,
        ),
      );
    },
  },
  {
    name: "search_records",
    title: "Search records",
    description:
      "Full-text search over every text value of the records (all words must occur; the last word also matches as a prefix). Use list_records with rlx for exact filters.",
    inputSchema: {
      query: z.string().min(1).max(1000).describe('Words to find, e.g. "acme invoice".'),
      app: app.optional(),
      limit: z.number().int().min(1).max(1000).optional().describe("Records to return, default 20."),
      skip: z.number().int().min(0).max(1_000_000_000).optional(),
    },
    readOnly: true,
    run: async (ctx, caller, args: { query: string; app?: string; limit?: number; skip?: number }) => {
      if (!args.query.trim())
        throw new RuntimeError("bad_request", 'Give the words to search for in "query".');
      const { alias, readable } = await readScope(ctx, caller, args.app);
      const records = await ctx.records.searchRecords({
        workspace: ctx.workspace,
        app: alias,
        text: args.query,
        limit: args.limit ?? 20,
        offset: args.skip ?? 0,
      });
      return json(
        await viewsOf(
          ctx,
          records.filter((r) => readable.has(r.app)),
          caller.user,
        ),
      );
    },
  },
  {
    name: "aggregate_records",
    title: "Aggregate records",
    description:
      "Count, sum, average, minimum or maximum of a field over an app's records matching an rlx filter, optionally grouped by a field's value or by the month of a date field (groupBy \"creation_date\" with byMonth true). Returns [{ group, value, count }].",
    inputSchema: {
      app,
      operation: z.enum(["count", "sum", "avg", "min", "max"]),
      field: z.string().max(64).optional().describe("The field to aggregate (not needed for count)."),
      groupBy: z.string().max(64).optional().describe("Group by this field's value."),
      byMonth: z.boolean().optional().describe("Group by the month (YYYY-MM) of the groupBy date field."),
      rlx: rlx.optional(),
    },
    readOnly: true,
    run: async (ctx, caller, args) => {
      const loaded = await appByAliasFor(ctx, args.app, caller.user);
      await checkRead(ctx, caller.user, loaded.alias);
      for (const name of [args.field, args.groupBy])
        if (
          name &&
          !loaded.schema.fieldNames.includes(name) &&
          !["creation_date", "update_date", "number"].includes(name)
        )
          throw new RuntimeError(
            "bad_request",
            `App ${loaded.alias} has no field "${name}"; see get_app_schema.`,
          );
      const records = await readAll(ctx, caller, loaded.alias, args.rlx);
      const rows = records.map((r) => toEntity(r.id, r.fields, r, loaded.schema));
      return json(aggregate(rows, args));
    },
  },
  {
    name: "get_record",
    title: "Get a record",
    description:
      "One record by id: every field, its number, revision, app and the actions allowed on it now.",
    inputSchema: { id: z.string().min(1).max(100).describe("The record id.") },
    readOnly: true,
    run: async (ctx, caller, args: { id: string }) => {
      const record = await recordOrFail(ctx, caller, args.id);
      return json((await viewsOf(ctx, [record], caller.user))[0]);
    },
  },
  {
    name: "list_history",
    title: "List a record's history",
    description:
      "The change history of one or more records, oldest first: who (version_account), when, which action (transition) and the field changes (old_value -> new_value).",
    inputSchema: {
      id: z.string().max(100).optional().describe("A record id."),
      ids: z.array(z.string().max(100)).max(100).optional().describe("Several record ids."),
      since: z.string().max(40).optional().describe("Only entries at or after this ISO time."),
      limit: z.number().int().min(1).max(1000).optional().describe("Entries per record, default 100."),
    },
    readOnly: true,
    run: async (ctx, caller, args: { id?: string; ids?: string[]; since?: string; limit?: number }) => {
      const ids = [...(args.id ? [args.id] : []), ...(args.ids ?? [])];
      if (ids.length === 0) throw new RuntimeError("bad_request", 'Name the record: "id" or "ids".');
      const entries = [];
      for (const id of ids) {
        await recordOrFail(ctx, caller, id);
        for (const entry of await ctx.history.history(ctx.workspace, id, {
          since: args.since,
          limit: args.limit ?? 100,
        }))
          entries.push(historyView(entry));
      }
      return json(entries);
    },
  },
  {
    name: "aggregate_history",
    title: "Aggregate history",
    description:
      'How many changes were made, grouped by "user", "transition" (the action), "day", "month" or "field" (changes per field name), optionally for one app and a time window. Returns [{ group, count }].',
    inputSchema: {
      groupBy: z.enum(["user", "transition", "day", "month", "field"]),
      app: app.optional(),
      since: z.string().max(40).optional().describe("ISO time: entries at or after it."),
      until: z.string().max(40).optional().describe("ISO time: entries before it."),
    },
    readOnly: true,
    run: async (ctx, caller, args: { groupBy: string; app?: string; since?: string; until?: string }) => {
      const { alias, readable } = await readScope(ctx, caller, args.app);
      const all = await ctx.history.historyQuery({
        workspace: ctx.workspace,
        app: alias,
        since: args.since,
        until: args.until,
        limit: MAX_AGGREGATE_HISTORY + 1,
      });
      const entries = all.filter((entry) => readable.has(entry.app));
      if (all.length > MAX_AGGREGATE_HISTORY)
        throw new RuntimeError(
          "limit_exceeded",
          `More than ${MAX_AGGREGATE_HISTORY} history entries match; narrow the time window (since/until) or name an app.`,
        );
      const rows =
        args.groupBy === "field"
          ? entries.flatMap((e) => e.changes.map((c) => ({ key: c.field })))
          : entries.map((e) => ({
              key:
                args.groupBy === "user"
                  ? e.actor
                  : args.groupBy === "transition"
                    ? e.transition
                    : args.groupBy === "day"
                      ? e.timestamp.slice(0, 10)
                      : e.timestamp.slice(0, 7),
            }));
      return json(
        aggregate(rows, { operation: "count", groupBy: "key" }).map(({ group, count }) => ({ group, count })),
      );
    },
  },
  {
    name: "create_record",
    title: "Create a record",
    description:
      "Creates a record in an app (the add action: its logic runs, everything commits in one transaction or nothing does). values holds field names and values as in get_app_schema. Returns the created record.",
    inputSchema: {
      app,
      values: z
        .record(z.string(), z.unknown())
        .describe('Field values, e.g. { "title": "Acme", "c_email": "a@acme.test" }.'),
    },
    readOnly: false,
    run: async (ctx, caller, args: { app: string; values: Record<string, unknown> }) =>
      itemResult(
        await runItem(ctx, caller, {
          ...args.values,
          transition: "add",
          app_alias: (await appByAliasFor(ctx, args.app, caller.user)).alias,
        }),
      ),
  },
  {
    name: "update_record",
    title: "Update a record or run an action on it",
    description:
      'Changes a record\'s field values (transition "edit", the default) or fires one of its actions (transition = an action uid from the record\'s transitions, e.g. "approve"): the action\'s logic runs and everything commits in one transaction, or nothing is written and the error comes back. "delete" deletes the record.',
    inputSchema: {
      id: z.string().min(1).max(100).describe("The record id."),
      values: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("Field values to apply before the action runs."),
      transition: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .describe('"edit" (default), "delete" or an action uid.'),
    },
    readOnly: false,
    run: async (ctx, caller, args: { id: string; values?: Record<string, unknown>; transition?: string }) => {
      await recordOrFail(ctx, caller, args.id);
      return itemResult(
        await runItem(ctx, caller, {
          ...(args.values ?? {}),
          id: args.id,
          transition: args.transition ?? "edit",
        }),
      );
    },
  },
  {
    name: "get_asset",
    title: "Get a stored file",
    description: `A stored file (an attachment's file_uid): name, content type and size, and its bytes as an embedded resource when it is at most ${MAX_EMBEDDED_ASSET_BYTES / 1024} KB (download larger ones from the download_url).`,
    inputSchema: {
      file_uid: z.string().min(1).max(100).describe("The file's id (file_uid of an attachment)."),
    },
    readOnly: true,
    run: async (ctx, caller, args: { file_uid: string }) => {
      // Files follow their record: a file the caller may not read is "not found", like a wrong uid.
      const file = await readableFile(ctx.files, {
        user: caller.user,
        workspace: ctx.workspace,
        fileId: fileUidOf(args.file_uid),
      });
      if (!file) throw new RuntimeError("not_found", `No file ${args.file_uid.slice(0, 64)}.`);
      const meta = {
        file_uid: file.id,
        name: file.fileName,
        content_type: file.contentType,
        size: file.size,
        sha256: file.sha256,
        created_at: file.createdAt,
        download_url: `/api/download/${file.id}`,
        embedded: file.size <= MAX_EMBEDDED_ASSET_BYTES,
      };
      if (!meta.embedded) return json(meta);
      const { readFile } = await import("node:fs/promises");
      const bytes = await readFile(await ctx.files.filePath(file.id));
      return {
        json: meta,
        extra: [
          {
            type: "resource",
            resource: {
              uri: `comind://files/${file.id}`,
              mimeType: file.contentType,
              blob: bytes.toString("base64"),
            },
          },
        ],
      };
    },
  },
];

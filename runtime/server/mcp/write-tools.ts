/**
 * create_record and update_record: fields keyed by caption or db name (values.ts converts them),
 * the action by uid or caption, an optional comment kept with the history entry. The action runs
 * through the one front door (runtime.run: access, logic, one commit); the answer carries the
 * record's slug and URL. Delete is not offered through MCP, as on the vendor's server.
 */
import { z } from "zod";
import type { AppAction } from "../../../globals/app-types.ts";
import { BASE_ACTIONS, COMMITTED, formatRecordRef, type LoadedApp } from "../../actions/index.ts";
import { isRuntimeError, RuntimeError } from "../../errors.ts";
import type { JsonRecord } from "../../store/index.ts";
import { remainingMs, type ServerContext } from "../context.ts";
import { appByAlias, appByAliasFor } from "../context.ts";
import type { Caller } from "./caller.ts";
import { recordByReference, servedWorkspace } from "./scope.ts";
import { appArg, defineTool, json, referenceArg, workspaceArg } from "./tool.ts";
import { recordUrl } from "./urls.ts";
import { ValueResolver } from "./values.ts";
import { recordViews } from "./views.ts";

const fieldsArg = z
  .record(z.string(), z.unknown())
  .describe(
    'Field values keyed by caption or db name: { "Title": "New laptop", "Priority": "High", "Owner": "Alice Smith", "Parent ticket": "DEMO/HELPDESK12", "Description": "<p>…</p>" }. Lookups by caption, people by full name, links by slug, rich text as HTML / markdown / plain text, date-times with their offset (2026-03-20T09:30:00+02:00).',
  );

/** An action of the app by uid or caption ("Approve"); delete is refused. */
function actionOf(app: LoadedApp, wanted: string): string {
  // Hidden actions are found too, so that the one rule refuses them (forbidden), as over REST.
  const actions: AppAction[] = [...BASE_ACTIONS, ...app.manifest.actions];
  const lower = wanted.trim().toLowerCase();
  const found =
    actions.find((a) => a.uid === wanted) ??
    actions.find((a) => a.uid.toLowerCase() === lower) ??
    actions.find((a) => (a.caption ?? "").toLowerCase() === lower);
  if (found?.uid === "delete")
    throw new RuntimeError(
      "forbidden",
      "Records cannot be deleted through MCP; use the REST API (tickets/multi) or the console.",
    );
  if (found && found.uid !== "add") return found.uid;
  throw new RuntimeError(
    "unknown_action",
    `App ${app.alias} has no action "${wanted.slice(0, 64)}"; its actions are ${actions
      .filter((a) => a.uid !== "add" && a.uid !== "delete" && a.visible !== false)
      .map((a) => `${a.uid} ("${a.caption ?? a.uid}")`)
      .join(", ")} (get_record lists those allowed on a record now).`,
  );
}

async function run(
  ctx: ServerContext,
  caller: Caller,
  request: { app: LoadedApp; action: string; recordId?: string; values: JsonRecord; comment?: string },
) {
  const result = await ctx.runtime.run({
    app: request.app.alias,
    action: request.action,
    recordId: request.recordId,
    values: request.values,
    comment: request.comment,
    caller: { kind: "user", user: caller.user },
    source: "mcp",
    wallMs: remainingMs(caller.deadline),
  });
  if (!result.ok) throw new RuntimeError(result.error.code, result.error.message);
  // Committed from here on: a failure while building the answer (the database gone just after
  // the commit) must not read as "nothing was written".
  try {
    // As the run committed it; read again only when the run left it unchanged.
    const stored =
      result[COMMITTED]?.find((record) => record.id === result.recordId) ??
      (await ctx.records.getRecord(ctx.workspace, result.recordId));
    if (!stored)
      throw new RuntimeError("not_found", `Record ${result.recordId} is gone (its action deleted it).`);
    const [record] = await recordViews(ctx, caller, [stored]);
    return {
      successful: true,
      slug: formatRecordRef(stored.workspace, stored.app, stored.number),
      url: recordUrl(caller.baseUrl, stored.id),
      record,
      logs: result.logs,
    };
  } catch (error) {
    if (!isRuntimeError(error) || error.code === "not_found") throw error;
    return {
      successful: true,
      record: { id: result.recordId },
      warning: `The change was saved, but the record could not be read back for this answer (${error.code}); read it again with get_record later.`,
      logs: result.logs,
    };
  }
}

export const createRecord = defineTool({
  name: "create_record",
  title: "Create a record",
  description:
    "Creates a record in an app (its add logic runs; everything commits in one transaction or nothing does). Returns the new record's slug and url, and the record.",
  args: z.strictObject({ workspace: workspaceArg.optional(), app: appArg, fields: fieldsArg }),
  renamed: { values: '"fields"', app_alias: '"app"' },
  readOnly: false,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const app = await appByAliasFor(ctx, args.app, caller.user);
    const values = await new ValueResolver(ctx, caller).fields(app, args.fields);
    return json({ created: true, ...(await run(ctx, caller, { app, action: "add", values })) });
  },
});

export const updateRecord = defineTool({
  name: "update_record",
  title: "Update a record or run an action on it",
  description:
    'Runs an action on a record: "edit" (the default) to change field values, or one of its actions by uid or caption ("Approve"; get_record lists those allowed now). fields holds only the changed values (same rules as create_record); comment is a note kept with the change in the history. The logic runs and everything commits in one transaction, or nothing is written and the error comes back. Delete is not available through MCP.',
  args: z.strictObject({
    reference: referenceArg,
    action: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('An allowed action by caption or uid, e.g. "Approve" or "edit" (default).'),
    fields: fieldsArg.optional(),
    comment: z
      .string()
      .max(10_000)
      .optional()
      .describe("A note kept with this change in the record's history."),
  }),
  renamed: { id: '"reference" (the record\'s slug)', values: '"fields"', transition: '"action"' },
  readOnly: false,
  run: async (ctx, caller, args) => {
    const stored = await recordByReference(ctx, caller, args.reference);
    const app = appByAlias(ctx, stored.app);
    const action = actionOf(app, args.action ?? "edit");
    const values = await new ValueResolver(ctx, caller).fields(app, args.fields ?? {});
    return json({
      updated: true,
      action,
      ...(await run(ctx, caller, { app, action, recordId: stored.id, values, comment: args.comment })),
    });
  },
});

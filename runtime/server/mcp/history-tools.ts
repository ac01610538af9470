/**
 * list_history: the changes made in a workspace (or one app, or one record), newest first, with
 * who (version_account), when (version_timestamp), which action (transition), the comment and the
 * field changes. Filters name only those history fields.
 */
import { z } from "zod";
import type { FilterNode } from "../../store/index.ts";
import { historyFilter } from "./history-filter.ts";
import { People } from "./people.ts";
import { readScope, recordByReference, servedWorkspace } from "./scope.ts";
import { appArg, defineTool, json, limitArg, referenceArg, workspaceArg } from "./tool.ts";
import { historyViews } from "./views.ts";

export const listHistory = defineTool({
  name: "list_history",
  title: "List changes",
  description:
    'Changes made in the workspace, newest first: who (version_account), when (version_timestamp), which action (transition), the comment and the field changes (old_value -> new_value). filter names only version_account (a name, or "{current-user}"), version_timestamp, transition and comment, e.g. version_timestamp>="2026-03-01" AND transition="approve".',
  args: z.strictObject({
    workspace: workspaceArg.optional(),
    app: appArg.optional().describe("Only this app's changes."),
    reference: referenceArg.optional().describe('Only this record\'s changes, e.g. "DEMO/HELPDESK12".'),
    filter: z
      .string()
      .max(10_000)
      .optional()
      .describe("RLX on version_account, version_timestamp, transition, comment."),
    limit: limitArg(1000, 20).optional(),
  }),
  renamed: {
    id: '"reference" (the record\'s slug)',
    ids: '"reference" (one record) or "filter"',
    since: '"filter" (version_timestamp>="…")',
  },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const { alias, readable } = await readScope(ctx, caller, args.app);
    const people = new People(ctx, caller.user.id);
    let filter: FilterNode = await historyFilter(
      caller,
      people,
      args.filter,
      alias ? [alias] : [...readable],
    );
    if (args.reference) {
      const record = await recordByReference(ctx, caller, args.reference);
      filter = {
        kind: "and",
        items: [filter, { kind: "compare", field: "record_id", op: "=", value: record.id }],
      };
    }
    const entries = await ctx.history.historyQuery({
      workspace: ctx.workspace,
      filter,
      newestFirst: true,
      limit: args.limit ?? 20,
    });
    return json(await historyViews(ctx, entries, people));
  },
});

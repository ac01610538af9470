/**
 * Reading records: list_records (RLX filter, sort, paging, saved lists, chosen fields),
 * search_records (words, "exact phrases", -excluded words) and get_record (one record by its slug,
 * with its history and the actions you may run on it).
 */
import { z } from "zod";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";
import { fieldNamed } from "./app-fields.ts";
import { recordFilter } from "./filter.ts";
import { recordDetails } from "./record-details.ts";
import { readableApp, readScope, recordByReference, servedWorkspace } from "./scope.ts";
import { parseSearch, searchMatches } from "./search.ts";
import { sortClause } from "./sort.ts";
import {
  appArg,
  defineTool,
  filterArg,
  json,
  limitArg,
  referenceArg,
  skipArg,
  workspaceArg,
} from "./tool.ts";
import { ValueResolver } from "./values.ts";
import { recordViews } from "./views.ts";

/** Candidates read for a search with phrases or exclusions, which are checked here. */
const SEARCH_CANDIDATES = 1000;

function savedList(app: Awaited<ReturnType<typeof readableApp>>, alias: string | undefined) {
  if (!alias) return undefined;
  const list = app.build.pkg.lists.find((each) => each.alias === alias.toUpperCase());
  if (list) return list;
  const known = app.build.pkg.lists.map((each) => each.alias);
  throw new RuntimeError(
    "not_found",
    `App ${app.alias} has no saved list "${alias.slice(0, 40)}"; ${known.length ? `its lists are ${known.join(", ")}` : "it declares none"} (get_app_schema shows them).`,
  );
}

export const listRecords = defineTool({
  name: "list_records",
  title: "List records",
  description:
    "Records of one app matching an RLX filter, sorted and paged; or a saved list of the app (list). Each record has its slug (e.g. DEMO/HELPDESK12), url, fields and the actions allowed on it now (transitions). Returns { data, filteredRecordsCount, unfilteredRecordsCount }.",
  args: z.strictObject({
    workspace: workspaceArg.optional(),
    app: appArg,
    filter: filterArg.optional(),
    sort: z
      .string()
      .max(200)
      .optional()
      .describe(
        'updated, created, priority or a field\'s db name, then asc or desc: "updated desc" (the default), "priority", "c_total desc, title".',
      ),
    limit: limitArg(1000, 20).optional(),
    skip: skipArg.optional(),
    list: z
      .string()
      .max(40)
      .optional()
      .describe("A saved list's alias (get_app_schema lists them); filter narrows it further."),
    fields: z
      .array(z.string().max(64))
      .max(200)
      .optional()
      .describe(
        "Field db names to return (slug, id and the technical keys always come back); all fields when omitted.",
      ),
  }),
  renamed: {
    rlx: '"filter"',
    sortBy: '"sort"',
    listOfFields: '"fields"',
    limitRecords: '"limit"',
    skipRecords: '"skip"',
  },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const app = await readableApp(ctx, caller, args.app);
    const list = savedList(app, args.list);
    const filter = await recordFilter(app, caller, new ValueResolver(ctx, caller), list?.filter, args.filter);
    const fields = args.fields?.map((name) => fieldNamed(app, name, { columns: true }).name);
    const query = { workspace: ctx.workspace, app: app.alias, filter };
    const records = await ctx.records.findRecords({
      ...query,
      sortBy: sortClause(app, args.sort ?? list?.sort),
      limit: args.limit ?? 20,
      offset: args.skip ?? 0,
    });
    const [filteredRecordsCount, unfilteredRecordsCount] = await Promise.all([
      ctx.records.countRecords(query),
      ctx.records.countRecords({ workspace: ctx.workspace, app: app.alias }),
    ]);
    return json({
      data: await recordViews(ctx, caller, records, fields),
      filteredRecordsCount,
      unfilteredRecordsCount,
    });
  },
});

async function search(
  ctx: ServerContext,
  caller: Caller,
  args: { query: string; app?: string; limit?: number; skip?: number },
) {
  const terms = parseSearch(args.query);
  const { alias, readable } = await readScope(ctx, caller, args.app);
  const limit = args.limit ?? 20;
  const skip = args.skip ?? 0;
  const exact = terms.phrases.length === 0 && terms.excluded.length === 0;
  const found = await ctx.records.searchRecords({
    workspace: ctx.workspace,
    app: alias,
    text: terms.words.join(" "),
    limit: exact ? limit + skip : SEARCH_CANDIDATES,
    offset: 0,
  });
  const matching = found.filter((record) => readable.has(record.app) && searchMatches(record, terms));
  return recordViews(ctx, caller, matching.slice(skip, skip + limit));
}

export const searchRecords = defineTool({
  name: "search_records",
  title: "Search records",
  description:
    'Full-text search over the records\' text: every word must occur (the last also as a prefix); "an exact phrase" in quotes; -word leaves out records with that word. No wildcards. Use list_records with a filter for exact conditions.',
  args: z.strictObject({
    query: z
      .string()
      .min(1)
      .max(1000)
      .describe('Words to find, e.g. "network outage", "\\"exact phrase\\"", "laptop -replacement".'),
    workspace: workspaceArg.optional(),
    app: appArg.optional().describe("Only this app's records."),
    limit: limitArg(1000, 20).optional(),
    skip: skipArg.optional(),
  }),
  renamed: { text: '"query"' },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    return json(await search(ctx, caller, args));
  },
});

export const getRecord = defineTool({
  name: "get_record",
  title: "Get a record",
  description:
    "One record by its slug (e.g. DEMO/HELPDESK12): every field, its url, its history (the first 10 and the last 40 changes: who, when, which action, comment, field changes) and the actions you may run on it now (uid and caption, for update_record's action).",
  args: z.strictObject({ reference: referenceArg }),
  renamed: { id: '"reference" (the record\'s slug, e.g. "DEMO/HELPDESK12")', slug: '"reference"' },
  readOnly: true,
  run: async (ctx, caller, args) =>
    json(await recordDetails(ctx, caller, await recordByReference(ctx, caller, args.reference))),
});

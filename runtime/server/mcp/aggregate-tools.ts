/**
 * aggregate_records and aggregate_history: counts (and, for records, totals of a numeric metric)
 * grouped by several dimensions in one call. Records are read through the same filter as
 * list_records; history through the same filter as list_history.
 */
import { z } from "zod";
import { type LoadedApp, toEntity } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { FilterNode, StoredRecord } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";
import { type Dimension, aggregate, keysOf, parseDimension } from "./aggregate.ts";
import { fieldNamed, lookupValues } from "./app-fields.ts";
import { historyFilter } from "./history-filter.ts";
import { recordFilter } from "./filter.ts";
import { People } from "./people.ts";
import { readableApp, readScope, servedWorkspace } from "./scope.ts";
import { appArg, defineTool, filterArg, json, workspaceArg } from "./tool.ts";
import { ValueResolver } from "./values.ts";

/** Records read for one aggregation; past it the caller is asked to narrow the filter. */
export const MAX_AGGREGATE_RECORDS = 50_000;
/** History entries read for one aggregation. */
export const MAX_AGGREGATE_HISTORY = 100_000;

const dimensionsArg = z
  .array(z.string().min(1).max(100))
  .max(5)
  .describe(
    'Group by these, all in one call: field db names; a date field groups by month, or add __pivotbymonth / __pivotbyweek (e.g. ["state", "creation_date__pivotbyweek"]). Empty: one total.',
  );

async function readAll(
  ctx: ServerContext,
  app: string,
  filter: FilterNode | undefined,
): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  const page = 1000;
  for (let offset = 0; ; offset += page) {
    const batch = await ctx.records.findRecords({
      workspace: ctx.workspace,
      app,
      filter,
      limit: page,
      offset,
      sortBy: "creation_date asc",
    });
    records.push(...batch);
    if (records.length > MAX_AGGREGATE_RECORDS)
      throw new RuntimeError(
        "limit_exceeded",
        `More than ${MAX_AGGREGATE_RECORDS} records match; narrow the filter to aggregate them.`,
      );
    if (batch.length < page) return records;
  }
}

/** `keeper_id` (the vendor's name for a person field's id) means the field `keeper`. */
function withoutIdSuffix(app: LoadedApp, name: string): string {
  const field = name.replace(/__pivotby(month|week)$/, "");
  const bare = field.replace(/_id$/, "");
  return bare !== field && !app.schema.typeOf(field) && app.schema.typeOf(bare)
    ? name.replace(field, bare)
    : name;
}

/** A record dimension: lookups labelled by their caption, people by their name. */
function recordDimension(app: LoadedApp, name: string, names: Map<string, string>): Dimension {
  const named = (field: string) => fieldNamed(app, field, { columns: true });
  const spec = parseDimension(withoutIdSuffix(app, name), (field) =>
    ["date", "datetime"].includes(named(field).type),
  );
  const field = named(spec.field);
  const options = lookupValues(field);
  const people = ["person", "peoplelist"].includes(field.type);
  return {
    name,
    keys: (row) => keysOf(row[field.name], spec.pivot),
    label: (key) =>
      options ? options.find((o) => o.value === key)?.caption : people ? names.get(key) : undefined,
  };
}

export const aggregateRecords = defineTool({
  name: "aggregate_records",
  title: "Aggregate records",
  description:
    "Counts of an app's records matching a filter, grouped by several dimensions at once (a date field by month, or __pivotbymonth / __pivotbyweek); with metric_field (a number field) also sum, avg, min and max per group. Returns { total, groups: [{ <dimension>: value, <dimension>__label?, count, sum?, avg?, min?, max? }] }.",
  args: z.strictObject({
    workspace: workspaceArg.optional(),
    app: appArg,
    dimensions: dimensionsArg.optional(),
    filter: filterArg.optional(),
    metric_field: z
      .string()
      .max(64)
      .optional()
      .describe('A number field to total and average per group, e.g. "c_total".'),
  }),
  renamed: {
    rlx: '"filter"',
    groupBy: '"dimensions" (a list, e.g. ["state"])',
    byMonth: '"dimensions" with "<date field>__pivotbymonth"',
    operation: '"metric_field" (every group has count, and sum / avg / min / max of the metric)',
    field: '"metric_field"',
  },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const app = await readableApp(ctx, caller, args.app);
    const values = new ValueResolver(ctx, caller);
    const names = await values.people.names();
    const dimensions = (args.dimensions ?? []).map((name) => recordDimension(app, name, names));
    const metric = args.metric_field ? fieldNamed(app, args.metric_field, { columns: true }) : null;
    if (metric && metric.type !== "number")
      throw new RuntimeError(
        "bad_request",
        `metric_field "${metric.name}" is a ${metric.type} field; name a number field.`,
      );
    const records = await readAll(ctx, app.alias, await recordFilter(app, caller, values, args.filter));
    const rows = records.map((r) => toEntity(r.id, r.fields, r, app.schema));
    return json({
      total: rows.length,
      groups: aggregate(rows, dimensions, metric ? (row) => row[metric.name] : undefined),
    });
  },
});

const HISTORY_DIMENSIONS: Record<string, (entry: Record<string, unknown>) => unknown> = {
  version_account: (e) => e.actor,
  version_timestamp: (e) => e.timestamp,
  transition: (e) => e.transition,
  action: (e) => e.action,
  app: (e) => e.app,
  workspace: () => null,
};

export const aggregateHistory = defineTool({
  name: "aggregate_history",
  title: "Aggregate history",
  description:
    "How many changes were made, grouped by several dimensions at once: version_account (who), version_timestamp (by month; or __pivotbyweek), transition (which action), app, workspace. Optional filter on version_account, version_timestamp, transition, comment. Returns { total, groups: [{ <dimension>: value, count }] }.",
  args: z.strictObject({
    workspace: workspaceArg.optional(),
    app: appArg.optional().describe("Only this app's history."),
    dimensions: dimensionsArg.optional(),
    filter: filterArg
      .optional()
      .describe(
        'RLX on version_account, version_timestamp, transition, comment, e.g. version_timestamp>="2026-01-01".',
      ),
  }),
  renamed: {
    groupBy: '"dimensions" (a list, e.g. ["version_account"])',
    since: '"filter" (version_timestamp>="…")',
    until: '"filter" (version_timestamp<"…")',
  },
  readOnly: true,
  run: async (ctx, caller, args) => {
    servedWorkspace(ctx, args.workspace);
    const { alias, readable } = await readScope(ctx, caller, args.app);
    const people = new People(ctx, caller.user.id);
    const names = await people.names();
    const dimensions: Dimension[] = (args.dimensions ?? []).map((name) => {
      const spec = parseDimension(name, (field) => field === "version_timestamp");
      const read = HISTORY_DIMENSIONS[spec.field];
      if (!read)
        throw new RuntimeError(
          "bad_request",
          `aggregate_history groups by ${Object.keys(HISTORY_DIMENSIONS).join(", ")}; not "${name.slice(0, 64)}".`,
        );
      return {
        name,
        keys: (entry) => (spec.field === "workspace" ? [ctx.workspace] : keysOf(read(entry), spec.pivot)),
        label: spec.field === "version_account" ? (key) => names.get(key) : undefined,
      };
    });
    const entries = await ctx.history.historyQuery({
      workspace: ctx.workspace,
      filter: await historyFilter(caller, people, args.filter, alias ? [alias] : [...readable]),
      limit: MAX_AGGREGATE_HISTORY + 1,
    });
    if (entries.length > MAX_AGGREGATE_HISTORY)
      throw new RuntimeError(
        "limit_exceeded",
        `More than ${MAX_AGGREGATE_HISTORY} history entries match; narrow the filter (version_timestamp>="…") or name an app.`,
      );
    return json({ total: entries.length, groups: aggregate(entries as never, dimensions) });
  },
});

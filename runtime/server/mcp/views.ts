/**
 * Records and history entries as the tools answer them: the REST API's record view plus the
 * record's `url`, and history entries with the record's slug and the people's names.
 */
import { formatRecordRef } from "../../actions/index.ts";
import type { HistoryEntry, StoredRecord } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";
import { viewsOf } from "../record-view.ts";
import type { Caller } from "./caller.ts";
import type { People } from "./people.ts";
import { recordUrl } from "./urls.ts";

export async function recordViews(
  ctx: ServerContext,
  caller: Caller,
  records: StoredRecord[],
  fields?: string[],
): Promise<Record<string, unknown>[]> {
  const views = await viewsOf(ctx, records, caller.user, fields?.join(","));
  return views.map((view) => ({ ...view, url: recordUrl(caller.baseUrl, String(view.id)) }));
}

/** The live records among `ids`, by id (one query). */
export async function recordsById(ctx: ServerContext, ids: string[]): Promise<Map<string, StoredRecord>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const records = await ctx.records.findRecords({
    workspace: ctx.workspace,
    filter: { kind: "in", field: "id", values: unique, negate: false },
  });
  return new Map(records.map((record) => [record.id, record]));
}

export async function historyViews(ctx: ServerContext, entries: HistoryEntry[], people: People) {
  const records = await recordsById(
    ctx,
    entries.map((entry) => entry.recordId),
  );
  return Promise.all(
    entries.map(async (entry) => {
      const record = records.get(entry.recordId);
      return {
        slug: record ? formatRecordRef(record.workspace, record.app, record.number) : null,
        record_id: entry.recordId,
        app: entry.app,
        title: record ? (record.fields.title ?? null) : null,
        revision: entry.revision,
        version_account: entry.actor,
        version_account_name: await people.nameOf(entry.actor),
        version_timestamp: entry.timestamp,
        transition: entry.transition,
        comment: entry.comment,
        changes: entry.changes.map((c) => ({ field: c.field, old_value: c.old, new_value: c.new })),
      };
    }),
  );
}

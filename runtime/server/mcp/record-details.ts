/**
 * get_record's answer: the record's view and url, its history (the first 10 and the last 40
 * entries, as the vendor's clients expect), the actions the caller may run on it now with their
 * captions, and the slug of each attached file (`DEMO/ATTACHMENT31`, for get_asset).
 */
import { BASE_ACTIONS, formatRecordRef, ATTACHMENT_REF_APP } from "../../actions/index.ts";
import type { JsonRecord, StoredRecord } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";
import { People } from "./people.ts";
import { historyViews, recordViews } from "./views.ts";

export const HISTORY_HEAD = 10;
export const HISTORY_TAIL = 40;

async function history(ctx: ServerContext, record: StoredRecord) {
  const head = await ctx.history.history(ctx.workspace, record.id, {
    limit: HISTORY_HEAD + HISTORY_TAIL + 1,
  });
  if (head.length <= HISTORY_HEAD + HISTORY_TAIL) return { entries: head, truncated: false };
  const tail = await ctx.history.historyQuery({
    workspace: ctx.workspace,
    filter: { kind: "compare", field: "record_id", op: "=", value: record.id },
    newestFirst: true,
    limit: HISTORY_TAIL,
  });
  return { entries: [...head.slice(0, HISTORY_HEAD), ...tail.reverse()], truncated: true };
}

/** Files-list values with each file's slug added (the stored value is not changed). */
async function withAttachmentSlugs(ctx: ServerContext, view: JsonRecord, fields: readonly string[]) {
  for (const name of fields) {
    const list = view[name];
    if (!Array.isArray(list)) continue;
    view[name] = await Promise.all(
      list.map(async (item) => {
        const file = typeof item?.file_uid === "string" ? await ctx.files.getFile(item.file_uid) : null;
        return file?.number
          ? { ...item, slug: formatRecordRef(ctx.workspace, ATTACHMENT_REF_APP, file.number) }
          : item;
      }),
    );
  }
}

export async function recordDetails(ctx: ServerContext, caller: Caller, record: StoredRecord) {
  const app = ctx.runtime.apps.get(record.app)!;
  const [view] = await recordViews(ctx, caller, [record]);
  await withAttachmentSlugs(ctx, view, app.schema.listFields);
  const captions = new Map<string, string>(
    [...BASE_ACTIONS, ...app.manifest.actions].map((action) => [action.uid, action.caption ?? action.uid]),
  );
  // Delete is deliberately not offered through MCP (the vendor's server does not expose it either).
  const allowed = (view.transitions as string[])
    .filter((uid) => uid !== "delete")
    .map((uid) => ({ uid, caption: captions.get(uid) ?? uid }));
  const { entries, truncated } = await history(ctx, record);
  return {
    ...view,
    actions: allowed,
    history: await historyViews(ctx, entries, new People(ctx, caller.user.id)),
    ...(truncated
      ? {
          history_note: `Only the first ${HISTORY_HEAD} and the last ${HISTORY_TAIL} changes are shown; list_history with filter record_id="${record.id}" has them all.`,
        }
      : {}),
  };
}

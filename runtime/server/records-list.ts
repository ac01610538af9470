/**
 * tickets/list over one app or the whole workspace, with the deleted records a syncing client
 * asks for (`includeDeletedAfter`), and tickets/changed's count of records changed or deleted.
 */
import type { UserInfo as CurrentUser } from "../../globals/bridge-contract.ts";
import type { FilterNode } from "../store/index.ts";
import { checkRead, readableApps, type ServerContext } from "./context.ts";
import { parseIsoTime } from "./iso-time.ts";
import type { ListParams } from "./list-params.ts";
import { assertKnownFilterFields } from "../actions/index.ts";
import { parseRlx } from "../rlx/index.ts";
import { viewsOf } from "./record-view.ts";

export const MAX_LIMIT = 1000;

/** Only records of apps installed here are ever answered. */
export function installedApps(ctx: ServerContext): FilterNode {
  return { kind: "in", field: "publishing_alias", values: [...ctx.runtime.apps.keys()], negate: false };
}

/** A deleted record as list answers show it. */
function deletedView(record: {
  id: string;
  number: number;
  app: string;
  workspace: string;
  deletedAt: string;
}) {
  return {
    id: record.id,
    number: record.number,
    publishing_alias: record.app,
    project_alias: record.workspace,
    is_deleted: true,
    deletion_date: record.deletedAt,
  };
}

async function deletedAfter(ctx: ServerContext, app: string | undefined, after: string, readable: string[]) {
  const deleted = await ctx.records.listDeleted({ workspace: ctx.workspace, app, after, limit: MAX_LIMIT });
  return deleted.filter((record) => readable.includes(record.app)).map(deletedView);
}

export async function listRecords(
  ctx: ServerContext,
  params: ListParams,
  user: CurrentUser,
  app: string | undefined,
  technical = params.withTechnicalData === true,
) {
  // Only apps the caller may read: one app is checked, a workspace-wide list skips the others.
  if (app) await checkRead(ctx, user, app);
  const installed: FilterNode = {
    kind: "in",
    field: "publishing_alias",
    values: app ? [app] : await readableApps(ctx, user),
    negate: false,
  };
  const rlx = parseRlx(params.rlx ?? "", { currentUser: user.id });
  assertKnownFilterFields(rlx, app ? [ctx.runtime.apps.get(app)!] : [...ctx.runtime.apps.values()]);
  const filter: FilterNode = rlx ? { kind: "and", items: [installed, rlx] } : installed;
  const base = { workspace: ctx.workspace, app, filter };
  const deletedSince =
    params.includeDeletedAfter === undefined
      ? undefined
      : parseIsoTime(params.includeDeletedAfter, "includeDeletedAfter");
  const records = await ctx.records.findRecords({
    ...base,
    limit: Math.min(params.limitRecords ?? 10, MAX_LIMIT),
    offset: params.skipRecords ?? 0,
    sortBy: params.sortBy ?? "update_date desc",
  });
  const live = await viewsOf(ctx, records, user, params.listOfFields);
  const data = deletedSince
    ? [...live, ...(await deletedAfter(ctx, app, deletedSince, installed.values as string[]))]
    : live;
  if (!technical) return data;
  const [filteredRecordsCount, unfilteredRecordsCount] = await Promise.all([
    ctx.records.countRecords(base),
    ctx.records.countRecords({ workspace: ctx.workspace, app, filter: installed }),
  ]);
  return { data, filteredRecordsCount, unfilteredRecordsCount };
}

/** How many records of the app changed (created or updated) or were deleted after `sinceTime`. */
export async function countChanged(ctx: ServerContext, app: string, sinceTime: unknown): Promise<number> {
  const since = parseIsoTime(sinceTime, "sinceTime");
  const changed: FilterNode = { kind: "compare", field: "update_date", op: ">", value: since };
  const [live, deleted] = await Promise.all([
    ctx.records.countRecords({ workspace: ctx.workspace, app, filter: changed }),
    ctx.records.countDeleted({ workspace: ctx.workspace, app, after: since }),
  ]);
  return live + deleted;
}

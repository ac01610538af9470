/**
 * App-scoped history (`/api/w/{WS}/a/{APP}/tickets/history`): one entry per version of the
 * records an rlx filter matches, each with the record's field values as of that version. Values
 * are rebuilt backwards from the current record by undoing each version's field changes, so the
 * newest version always equals what tickets/list shows.
 */
import { createHash } from "node:crypto";
import type { UserInfo as CurrentUser } from "../../globals/bridge-contract.ts";
import { parseSortBy, type SortKey } from "../store/index.ts";
import type { HistoryEntry, StoredRecord } from "../store/index.ts";
import type { ServerContext } from "./context.ts";
import type { ListParams } from "./list-params.ts";
import { parseListOfFields } from "./record-view.ts";
import { installedApps, MAX_LIMIT } from "./records-list.ts";
import { parseRlx } from "../rlx/index.ts";

type Version = Record<string, unknown>;

/** Records whose history one request may read. */
const MAX_RECORDS = 1000;
const DEFAULT_LIMIT = 100;

/** A stable id per (record, revision), shaped like a UUID. */
function versionId(recordId: string, revision: number): string {
  const hex = createHash("sha256").update(`${recordId}\n${revision}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function versionsOf(record: StoredRecord, entries: HistoryEntry[], fields: Set<string> | null): Version[] {
  const values: Record<string, unknown>[] = [];
  let state: Record<string, unknown> = { ...record.fields };
  for (let i = entries.length - 1; i >= 0; i--) {
    values[i] = state;
    state = { ...state };
    for (const change of entries[i].changes) state[change.field] = change.old;
  }
  return entries.map((entry, i) => {
    const kept = Object.entries(values[i]).filter(([name]) => !fields || fields.has(name));
    return {
      ...Object.fromEntries(kept),
      version_id: versionId(record.id, entry.revision),
      id: record.id,
      number: record.number,
      publishing_alias: record.app,
      revision: entry.revision,
      version_timestamp: entry.timestamp,
      version_account: entry.actor,
      transition: entry.transition,
      comment: entry.comment ?? "",
      changes: entry.changes.map((c) => ({ field: c.field, old_value: c.old, new_value: c.new })),
    };
  });
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Ties (e.g. two versions in the same millisecond): by record id, then revision in the first key's direction. */
function sortVersions(versions: Version[], keys: SortKey[]): Version[] {
  const tieDirection = keys[0]?.descending ? -1 : 1;
  return versions.sort((x, y) => {
    for (const key of keys) {
      const order = compareValues(x[key.field], y[key.field]);
      if (order !== 0) return key.descending ? -order : order;
    }
    if (x.id !== y.id) return String(x.id) < String(y.id) ? -1 : 1;
    return tieDirection * ((x.revision as number) - (y.revision as number));
  });
}

export async function appHistory(ctx: ServerContext, params: ListParams, user: CurrentUser, app: string) {
  const rlx = parseRlx(params.rlx ?? "", { currentUser: user.id });
  const installed = installedApps(ctx);
  const records = await ctx.records.findRecords({
    workspace: ctx.workspace,
    app,
    filter: rlx ? { kind: "and", items: [installed, rlx] } : installed,
    limit: MAX_RECORDS,
    sortBy: "update_date desc",
  });
  const fields = parseListOfFields(params.listOfFields);
  const versions: Version[] = [];
  for (const record of records) {
    const entries = await ctx.history.history(ctx.workspace, record.id, { limit: MAX_LIMIT });
    versions.push(...versionsOf(record, entries, fields));
  }
  const sortKeys = params.sortBy
    ? parseSortBy(params.sortBy)
    : [{ field: "version_timestamp", descending: true }];
  const skip = params.skipRecords ?? 0;
  const limit = Math.min(params.limitRecords ?? DEFAULT_LIMIT, MAX_LIMIT);
  return sortVersions(versions, sortKeys).slice(skip, skip + limit);
}

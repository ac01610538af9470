/**
 * Queries that see the action's own uncommitted writes: store results with pending records
 * merged in, filtered and sorted the same way the store does.
 */
import type { RecordQuery as GlobalQuery } from "../../globals/bridge-contract.ts";
import { matchesFilter } from "../rlx/index.ts";
import { parseSortBy } from "../store/index.ts";
import type { FilterNode, StoredRecord } from "../store/index.ts";
import type { JsonRecord } from "./fields.ts";
import type { PendingRecord, UnitOfWork } from "./unit-of-work.ts";

/** The most records one query answers (also the default of the documented rlx forms). */
export const MAX_QUERY_LIMIT = 10_000;

function matches(fields: JsonRecord, filter: JsonRecord): boolean {
  return Object.entries(filter).every(
    ([field, value]) => JSON.stringify(fields[field] ?? null) === JSON.stringify(value ?? null),
  );
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortValue(record: PendingRecord, field: string): unknown {
  if (field === "update_date") return record.stored?.updateDate ?? "\uffff";
  if (field === "creation_date") return record.stored?.creationDate ?? "\uffff";
  if (field === "number") return record.stored?.number ?? Number.MAX_SAFE_INTEGER;
  if (field === "id") return record.id;
  return record.fields[field];
}

function columnValue(record: PendingRecord, workspace: string, field: string): unknown {
  switch (field) {
    case "id":
      return record.id;
    case "number":
      return record.stored?.number ?? null;
    case "creation_date":
      return record.stored?.creationDate ?? null;
    case "update_date":
      return record.stored?.updateDate ?? null;
    case "publishing_alias":
      return record.app;
    case "project_alias":
      return workspace;
    default:
      return record.fields[field];
  }
}

/**
 * `filter` is the equality object of our first query form; `rlx` a parsed rlx filter tree.
 * Both are applied by the store to stored records and here to the action's pending ones.
 */
/** A stored record in the unit of work's shape (not changed by this action so far). */
function asPending(record: StoredRecord): PendingRecord {
  return {
    id: record.id,
    app: record.app,
    stored: record,
    fields: record.fields,
    deleted: false,
    transition: "edit",
  };
}

export async function queryWithPending(
  uow: UnitOfWork,
  query: GlobalQuery & { appAlias: string; rlx?: FilterNode },
): Promise<PendingRecord[]> {
  const filter = query.filter ?? {};
  const pendingMatches = (record: PendingRecord) =>
    matches(record.fields, filter) &&
    matchesFilter(query.rlx, (field) => columnValue(record, uow.workspace, field));
  const limit = Math.min(Math.max(Number(query.limit ?? 100), 0), MAX_QUERY_LIMIT);
  const skip = Math.max(Number(query.skip ?? 0), 0);
  const pending = [...uow.pending.values()].filter((record) => record.app === query.appAlias);
  const base = {
    workspace: uow.workspace,
    app: query.appAlias,
    where: filter,
    filter: query.rlx,
    sortBy: query.sortBy,
  };
  if (pending.length === 0) {
    const stored = await uow.store.findRecords({ ...base, limit, offset: skip });
    return stored.map(asPending);
  }
  const stored = await uow.store.findRecords(base);
  const merged = stored
    .filter((record) => !uow.pending.has(record.id))
    .map(asPending)
    .concat(pending.filter((record) => !record.deleted && pendingMatches(record)));
  const keys = parseSortBy(query.sortBy);
  merged.sort((a, b) => {
    for (const key of keys) {
      const order = compare(sortValue(a, key.field), sortValue(b, key.field));
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  });
  return merged.slice(skip, skip + limit);
}

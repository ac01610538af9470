/**
 * A record as the REST API returns it (seed 000): custom fields at the top level like the
 * globals' `entity`, plus `publishing_alias`, `project_alias` and the `transitions` allowed now.
 */
import type { UserInfo as CurrentUser } from "../../globals/bridge-contract.ts";
import type { LoadedApp } from "../actions/index.ts";
import { formatRecordRef, toEntity } from "../actions/index.ts";
import type { StoredRecord } from "../store/index.ts";
import type { ServerContext } from "./context.ts";

export type RecordView = Record<string, unknown>;

/** "ALL" or "title,c_email" -> the field names to keep (id, revision and the technical keys always stay). */
export function parseListOfFields(listOfFields: unknown): Set<string> | null {
  if (
    listOfFields === undefined ||
    listOfFields === null ||
    listOfFields === "" ||
    String(listOfFields).toUpperCase() === "ALL"
  )
    return null;
  return new Set(
    String(listOfFields)
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
}

/**
 * Kept whatever `listOfFields` asks for. `revision` too: a client that lists some fields and then
 * edits sends it back for the conflict check, and without it would silently get last-write-wins.
 */
const ALWAYS = new Set([
  "id",
  "number",
  "slug",
  "revision",
  "publishing_alias",
  "project_alias",
  "transitions",
]);

export function recordView(
  record: StoredRecord,
  app: LoadedApp,
  transitions: string[],
  fields: Set<string> | null,
): RecordView {
  const entity = toEntity(record.id, record.fields, record, app.schema);
  const view: RecordView = {
    ...entity,
    // How people and assistants name the record (`DEMO/HELPDESK12`); MCP tools accept it.
    slug: formatRecordRef(record.workspace, record.app, record.number),
    revision: record.revision,
    publishing_alias: record.app,
    project_alias: record.workspace,
    // Older clients name the workspace by `project_id` (docs/rest-api.md, "Legacy forms").
    project_id: record.workspace,
    transitions,
  };
  if (!fields) return view;
  return Object.fromEntries(Object.entries(view).filter(([key]) => ALWAYS.has(key) || fields.has(key)));
}

/** Records -> API views, transitions checked per app in one isolate call each. */
export async function viewsOf(
  ctx: ServerContext,
  records: StoredRecord[],
  user: CurrentUser,
  listOfFields?: unknown,
) {
  const fields = parseListOfFields(listOfFields);
  const byApp = new Map<string, StoredRecord[]>();
  for (const record of records) {
    const group = byApp.get(record.app);
    if (group) group.push(record);
    else byApp.set(record.app, [record]);
  }
  const transitions = new Map<string, string[]>();
  for (const [alias, group] of byApp) {
    const app = ctx.runtime.apps.get(alias);
    if (!app) continue;
    const allowed = await ctx.runtime.allowedTransitions(app, group, user);
    for (const [i, record] of group.entries()) transitions.set(record.id, allowed[i]);
  }
  return records
    .filter((r) => ctx.runtime.apps.has(r.app))
    .map((r) => recordView(r, ctx.runtime.apps.get(r.app)!, transitions.get(r.id) ?? [], fields));
}

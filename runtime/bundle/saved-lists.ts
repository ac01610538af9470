/**
 * Saved lists an app declares in its package.json (`comindApp.lists`): named filters that users
 * and assistants open by alias (MCP `list_records(list: "OPEN")`, listed by `get_app_schema`).
 *
 * @example "lists": [{ "alias": "OPEN", "caption": "Open tickets", "filter": "state!=\"closed\"", "sort": "updated desc" }]
 */
import { RuntimeError } from "../errors.ts";
import { parseRlx } from "../rlx/index.ts";

export interface SavedList {
  /** Upper-case, as clients name it (`list: "OPEN"`). */
  alias: string;
  caption: string;
  /** rlx; `{current-user}` stands for whoever opens the list. Empty: every record. */
  filter: string;
  /** `updated desc`, `created`, `priority`, `c_total asc`, ... (MCP sort keywords); default: updated desc. */
  sort: string | null;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

function invalid(app: string, index: number, problem: string): RuntimeError {
  return new RuntimeError("app_invalid", `comindApp.lists[${index}] of app ${app} ${problem}.`);
}

/** Reads and checks `comindApp.lists` (absent: none); a bad entry fails the app's install. */
export function readSavedLists(app: string, raw: unknown): SavedList[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new RuntimeError("app_invalid", `comindApp.lists of app ${app} must be an array.`);
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    if (!entry || typeof entry !== "object")
      throw invalid(app, index, "must be an object { alias, caption, filter, sort }");
    const { alias, caption, filter = "", sort = null } = entry as Record<string, unknown>;
    if (typeof alias !== "string" || !ALIAS.test(alias))
      throw invalid(app, index, 'needs an "alias" of letters, digits or _ (e.g. "OPEN")');
    if (seen.has(alias.toUpperCase())) throw invalid(app, index, `repeats the alias "${alias}"`);
    seen.add(alias.toUpperCase());
    if (typeof filter !== "string") throw invalid(app, index, 'has a "filter" that is not an rlx string');
    if (sort !== null && typeof sort !== "string")
      throw invalid(app, index, 'has a "sort" that is not a string');
    try {
      parseRlx(filter, { currentUser: "" });
    } catch (error) {
      throw invalid(app, index, `has a filter that does not parse: ${(error as Error).message}`);
    }
    return {
      alias: alias.toUpperCase(),
      caption: typeof caption === "string" && caption ? caption : alias,
      filter,
      sort,
    };
  });
}

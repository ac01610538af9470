/**
 * Record references as people and assistants write them: `WS/APP123` is record number 123 of app
 * APP in workspace WS (the vendor's "slug"), `WS/ATTACHMENT31` is stored file number 31. ONE parser
 * and resolver for every place that accepts them (MCP tools, link field values, rlx filters,
 * get_asset); numbers are given at creation, per workspace and app (store migration 186).
 *
 * @example parseRecordRef("DEMO/HELPDESK12", ["HELPDESK"]) // { workspace: "DEMO", app: "HELPDESK", number: 12 }
 */
import type { RecordPort, StoredRecord } from "../store/index.ts";

export interface RecordRef {
  workspace: string;
  app: string;
  number: number;
}

/** The pseudo-app of attachment references (`WS/ATTACHMENT31`): stored files by number. */
export const ATTACHMENT_REF_APP = "ATTACHMENT";

const SHAPE = /^(?:([A-Za-z][A-Za-z0-9_-]{0,39})\/)?([A-Za-z][A-Za-z0-9_]{0,39}?)(\d{1,15})$/;

export function formatRecordRef(workspace: string, app: string, number: number): string {
  return `${workspace}/${app}${number}`;
}

/**
 * `WS/APP123` (or `APP123`, meaning this workspace) -> its parts, or null when the text is not a
 * reference. An alias may end in digits (`APP2`): among the splits of the text into alias + number,
 * the longest alias in `apps` wins, so `APP2123` is APP2 #123 when APP2 is installed.
 */
export function parseRecordRef(text: string, workspace: string, apps: Iterable<string>): RecordRef | null {
  const match = SHAPE.exec(String(text ?? "").trim());
  if (!match) return null;
  const refWorkspace = (match[1] ?? workspace).toUpperCase();
  const body = `${match[2]}${match[3]}`.toUpperCase();
  const known = [...apps, ATTACHMENT_REF_APP].filter(
    (alias) => body.startsWith(alias) && /^\d+$/.test(body.slice(alias.length)),
  );
  const app = known.sort((a, b) => b.length - a.length)[0] ?? match[2].toUpperCase();
  const number = Number(body.slice(app.length));
  return Number.isSafeInteger(number) && number > 0 ? { workspace: refWorkspace, app, number } : null;
}

/** The live record a reference names (null: no such record, or another workspace's). */
export async function findByRef(
  store: Pick<RecordPort, "findRecords">,
  workspace: string,
  ref: RecordRef,
): Promise<StoredRecord | null> {
  if (ref.workspace !== workspace.toUpperCase()) return null;
  const [record] = await store.findRecords({
    workspace,
    app: ref.app,
    filter: { kind: "compare", field: "number", op: "=", value: ref.number },
    limit: 1,
  });
  return record ?? null;
}

/** A record named by its id or by a reference (`WS/APP123`); null when there is none. */
export async function recordByIdOrRef(
  store: Pick<RecordPort, "findRecords" | "getRecord">,
  workspace: string,
  apps: Iterable<string>,
  idOrRef: string,
): Promise<StoredRecord | null> {
  const ref = parseRecordRef(idOrRef, workspace, apps);
  if (ref && ref.app !== ATTACHMENT_REF_APP) {
    const byRef = await findByRef(store, workspace, ref);
    if (byRef) return byRef;
  }
  return store.getRecord(workspace, idOrRef);
}

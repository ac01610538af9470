/**
 * What tickets/multi accepts and answers beyond seed 000, for clients written against Comind:
 * items without a `transition` (an `app_alias` and no `id` is an add, an `id` is an edit),
 * warnings as `{ message, severity }` objects, tus upload URLs as attachment file ids, the
 * record id at the top level of an item's answer, and an error status when every item failed.
 */
import { fileUidOf } from "../host/index.ts";
import { ERROR_CODES, isErrorCode, RuntimeError } from "../errors.ts";

/** Warning severities: 1 information (console.info), 2 warning (console.warn), 3 error. */
export const SEVERITY = { info: 1, warning: 2, error: 3 } as const;

export interface Warning {
  message: string;
  severity: number;
}

/** The transition an item means: its own, else `edit` with an id, else `add` with an app alias. */
export function withTransition<T extends { transition?: unknown; id?: unknown; app_alias?: unknown }>(
  item: T,
): T & { transition: string } {
  if (typeof item.transition === "string" && item.transition !== "")
    return item as T & { transition: string };
  if (item.id) return { ...item, transition: "edit" };
  if (item.app_alias) return { ...item, transition: "add" };
  throw new RuntimeError(
    "bad_request",
    'Each item needs a "transition", or an "id" (edit) or an "app_alias" (add a record).',
  );
}

const SEVERITY_OF_LEVEL: Record<string, number> = {
  info: SEVERITY.info,
  warn: SEVERITY.warning,
  error: SEVERITY.error,
};

/** console.info / warn / error lines of the action (console.log and debug stay in `logs` only). */
export function warningsOf(logs: { level: string; message: string }[]): Warning[] {
  return logs
    .filter((log) => log.level in SEVERITY_OF_LEVEL)
    .map((log) => ({ message: log.message, severity: SEVERITY_OF_LEVEL[log.level] }));
}

/** A failed item's error, repeated as a warning for clients that read only warnings. */
export function errorWarning(message: string): Warning {
  return { message, severity: SEVERITY.error };
}

/** `attachments: [{ file_uid: "<upload URL>" }]` -> the bare file ids, in place. */
export function normalizeAttachmentUids(list: unknown[]): void {
  for (const item of list) {
    const entry = item as { file_uid?: unknown } | null;
    if (entry && typeof entry.file_uid === "string") entry.file_uid = fileUidOf(entry.file_uid);
  }
}

/** The record's id at the top level of an item's answer too (C# clients read `answer[0].id`). */
export function withRecordId<T extends { data?: unknown }>(answer: T): T & { id?: string } {
  const data = answer.data as { id?: unknown } | null | undefined;
  if (!data || Array.isArray(data) || typeof data.id !== "string") return answer;
  return { id: data.id, ...answer };
}

/**
 * A batch in which every item failed is answered with the first item's error status (4xx for an
 * item that cannot be understood) and `{ error, results }`, so a client that only checks the HTTP
 * status does not report success; `results` lists every item as a 200 answer would. Null when
 * any item succeeded (a mixed batch keeps 200 and the plain list).
 */
export function everyItemFailed(
  results: { successful: boolean; error?: { code: string; message: string } | null }[],
): { status: number; body: unknown } | null {
  if (results.length === 0 || results.some((result) => result.successful)) return null;
  const first = results[0].error ?? { code: "bad_request", message: "The item failed." };
  const code = isErrorCode(first.code) ? first.code : "bad_request";
  const message = results.length === 1 ? first.message : `Every item failed; the first: ${first.message}`;
  return { status: ERROR_CODES[code].status, body: { error: { code, message }, results } };
}

/**
 * What tickets/multi accepts and answers beyond seed 000, for clients written against Comind:
 * items without a `transition` (an `app_alias` and no `id` is an add, an `id` is an edit),
 * warnings as `{ message, severity }` objects, and tus upload URLs as attachment file ids.
 */
import { fileUidOf } from "../host/index.ts";
import { RuntimeError } from "../errors.ts";

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

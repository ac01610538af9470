/**
 * Optimistic concurrency for REST clients: the `revision` a client read (in a tickets/multi item,
 * the action endpoint's body, or its `If-Match` header) is the revision the record must still
 * have; otherwise the item fails with 409 `conflict` and nothing is written. Without it an edit
 * applies to whatever is stored (last write wins), as before.
 */
import { RuntimeError } from "../errors.ts";

function parseRevision(value: unknown, where: string): number {
  const revision = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 1)
    throw new RuntimeError(
      "bad_request",
      `${where} must be the record's revision, a whole number from 1 (as read from tickets/list).`,
    );
  return revision;
}

/** `revision` of a tickets/multi item or action body, if sent. */
export function expectedRevisionOf(body: object | null | undefined): number | undefined {
  const revision = (body as { revision?: unknown } | null | undefined)?.revision;
  if (revision === undefined || revision === null) return undefined;
  return parseRevision(revision, '"revision"');
}

/** `If-Match: "3"` (also `3` and weak `W/"3"`); `*` means any revision. */
export function revisionFromIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header).trim();
  if (value === "*") return undefined;
  return parseRevision(value.replace(/^W\//, "").replace(/^"(.*)"$/, "$1"), "If-Match");
}

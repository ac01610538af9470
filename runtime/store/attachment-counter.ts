/**
 * The counter that numbers stored files (`WS/ATTACHMENT31`): one for the whole store, kept in the
 * `sequences` table under the workspace "" (the files table has no workspace; migration 186).
 */
export const ATTACHMENT_COUNTER = "attachment-number";

/**
 * The rlx filter language of the REST API (`state="open" AND c_total>100`), parsed into the store's
 * filter tree. ONE parser for the REST API, ComindServer.queryAppRecords and the CLI.
 *
 * @example parseRlx('state="open" AND c_total>10', { currentUser: "u1" })
 */
export { parseRlx, type RlxContext } from "./parse.ts";
export { RlxError } from "./error.ts";
export { matchesFilter } from "./match.ts";

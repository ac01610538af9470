/** The rlx filter language of the REST API, also used by the CLI's `records --filter`. */
export { parseRlx, type RlxContext } from "./parse.ts";
export { RlxError } from "./error.ts";
export { assertKnownFilterFields } from "./fields.ts";

/**
 * `Utils` inside the isolate. Formatting and dates run here (Intl has the ICU data); hashing,
 * GUIDs, JWT decoding and CSV run on the host.
 */
import type { CsvOptions } from "./bridge-contract.ts";
import { callAsync, callSync } from "./host-call.ts";
import { dateTimeToAnotherTimeZone, formatDateTime, getDatesDiff } from "./utils-dates.ts";
import { formatNumber, formatString } from "./utils-format.ts";

export { formatDateTime } from "./utils-dates.ts";
export type { DateInput, DateUnit } from "./utils-dates.ts";
export type { NumberFormat } from "./utils-format.ts";

export const Utils = {
  generateGuid: (): string => callSync("utils.guid", {}),
  /** Hex SHA-256 of the UTF-8 text. */
  generateSha256: (text: string): string => callSync("utils.sha256", { text: String(text) }),
  /** Hex MD5 of the UTF-8 text (for checksums other systems ask for; not for security). */
  generateMd5: (text: string): string => callSync("utils.md5", { text: String(text) }),
  formatDateTime,
  formatNumber,
  formatString,
  getDatesDiff,
  dateTimeToAnotherTimeZone,
  /**
   * The claims of a JWT, decoded WITHOUT checking its signature (do not trust them for access
   * decisions). Throws an Error with code "bad_request" when the text is not a JWT.
   * @example Utils.parseJwt(token).exp
   */
  parseJwt: (token: string): Record<string, any> =>
    callSync("utils.parseJwt", { token: String(token ?? "") }),
  parseCsvString: (text: string, options?: CsvOptions): any[] =>
    callAsync("utils.parseCsv", { text: String(text), options }),
  /** CSV text of rows (objects: a header row from their keys; arrays: as they are). */
  writeCsvString: (rows: unknown[], options?: CsvOptions): string => {
    if (!Array.isArray(rows)) throw new TypeError("Utils.writeCsvString: pass an array of rows.");
    return callAsync("utils.writeCsv", { rows, options });
  },
  htmlToText: (html: string): string => callAsync("utils.htmlToText", { html: String(html ?? "") }),
  toBase64: (text: string): string => callSync("utils.toBase64", { text: String(text) }),
  fromBase64: (data: string): string => callSync("utils.fromBase64", { data: String(data) }),
};

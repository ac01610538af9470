/** `Utils` inside the isolate: small helpers; hashing, GUIDs and CSV parsing run on the host. */
import type { CsvOptions } from "./bridge-contract.ts";
import { callSync } from "./host-call.ts";

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/**
 * Formats a date with .NET-style tokens (yyyy, yy, MM, M, dd, d, HH, H, mm, ss, fff) in UTC.
 * @example Utils.formatDateTime(new Date(), "yyyy-MM-dd HH:mm") // "2026-11-23 06:30"
 */
export function formatDateTime(value: Date | string | number, format = "yyyy-MM-ddTHH:mm:ss.fffZ"): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new TypeError(`Utils.formatDateTime: "${String(value)}" is not a date.`);
  const tokens: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()),
    yy: pad(date.getUTCFullYear() % 100),
    MM: pad(date.getUTCMonth() + 1),
    M: String(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    d: String(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    H: String(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
    fff: pad(date.getUTCMilliseconds(), 3),
  };
  return format.replace(/yyyy|yy|MM|M|dd|d|HH|H|mm|ss|fff/g, (token) => tokens[token]);
}

export const Utils = {
  generateGuid: (): string => callSync("utils.guid", {}),
  /** Hex SHA-256 of the UTF-8 text. */
  generateSha256: (text: string): string => callSync("utils.sha256", { text: String(text) }),
  formatDateTime,
  parseCsvString: (text: string, options?: CsvOptions): any[] =>
    callSync("utils.parseCsv", { text: String(text), options }),
  htmlToText: (html: string): string => callSync("utils.htmlToText", { html: String(html ?? "") }),
  toBase64: (text: string): string => callSync("utils.toBase64", { text: String(text) }),
  fromBase64: (data: string): string => callSync("utils.fromBase64", { data: String(data) }),
};

/** ISO times from clients: "2026-01-31T12:00:00Z", with an offset, or without one (taken as UTC). */
import { RuntimeError } from "../errors.ts";

const HAS_ZONE = /(z|[+-]\d\d:?\d\d)$/i;

/** The time as the store writes it (`Date.toISOString()`), so text comparison orders correctly. */
export function parseIsoTime(value: unknown, parameter: string): string {
  const text = String(value ?? "")
    .trim()
    .replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, "$1T")
    // A "+02:00" offset in an unencoded query string arrives as " 02:00".
    .replace(/(\d) (\d\d:?\d\d)$/, "$1+$2");
  const withZone = /t\d/i.test(text) && !HAS_ZONE.test(text) ? `${text}Z` : text;
  const time = /^\d{4}-\d\d-\d\d/.test(text) ? new Date(withZone) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime()))
    throw new RuntimeError(
      "bad_request",
      `${parameter} must be an ISO 8601 time such as 2026-01-31T12:00:00Z (got "${text.slice(0, 40)}").`,
    );
  return time.toISOString();
}

/**
 * Dates in `Utils`: .NET-style formatting, differences, and IANA time zones. Time zone rules come
 * from the ICU data behind `Intl` (inside the isolate too), never from hand-made offset tables.
 */
export type DateInput = Date | string | number;
export type DateUnit =
  | "milliseconds"
  | "seconds"
  | "minutes"
  | "hours"
  | "days"
  | "weeks"
  | "months"
  | "years";

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, "0");
/** "2026-11-30", "2026-11-30 09:15", "2026-11-30T09:15:00.000": a wall-clock time with no zone. */
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;
const EXPLICIT_OFFSET = /([+-])(\d{2}):?(\d{2})$/;

function toDate(value: DateInput, caller: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Utils.${caller}: "${String(value)}" is not a date.`);
  return date;
}

function formatterFor(timeZone: string, caller: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  } catch {
    throw new TypeError(`Utils.${caller}: "${timeZone}" is not an IANA time zone (e.g. "Europe/Berlin").`);
  }
}

/** Minutes to add to UTC to get the wall clock of `timeZone` at `ms`. */
function zoneOffsetMinutes(ms: number, timeZone: string, caller: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone, caller).formatToParts(new Date(ms)))
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant whose wall clock in `timeZone` is `wallMs` (read as if it were UTC). */
function fromWallClock(wallMs: number, timeZone: string, caller: string): number {
  const first = wallMs - zoneOffsetMinutes(wallMs, timeZone, caller) * 60_000;
  const second = wallMs - zoneOffsetMinutes(first, timeZone, caller) * 60_000;
  return second;
}

function wallClockMs(match: RegExpExecArray): number {
  const [, y, mo, d, h = "0", mi = "0", s = "0", ms = "0"] = match;
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, "0"));
}

function offsetText(minutes: number): string {
  return `${minutes < 0 ? "-" : "+"}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * Formats a date with .NET-style tokens (yyyy, yy, MM, M, dd, d, HH, H, mm, ss, fff, zzz).
 * In UTC, unless `timeZone` (IANA) is given or the value is a string with its own offset
 * (as `dateTimeToAnotherTimeZone` returns), whose wall clock is kept.
 * @example Utils.formatDateTime(new Date(), "yyyy-MM-dd HH:mm") // "2026-11-23 06:30"
 * @example Utils.formatDateTime(entity.c_due, "dd.MM.yyyy HH:mm", currentUser.timeZone)
 */
export function formatDateTime(
  value: DateInput,
  format = "yyyy-MM-ddTHH:mm:ss.fffZ",
  timeZone?: string,
): string {
  const date = toDate(value, "formatDateTime");
  const ownOffset = typeof value === "string" ? EXPLICIT_OFFSET.exec(value.trim()) : null;
  const offset = timeZone
    ? zoneOffsetMinutes(date.getTime(), timeZone, "formatDateTime")
    : ownOffset
      ? (ownOffset[1] === "-" ? -1 : 1) * (Number(ownOffset[2]) * 60 + Number(ownOffset[3]))
      : 0;
  const wall = new Date(date.getTime() + offset * 60_000);
  const tokens: Record<string, string> = {
    yyyy: String(wall.getUTCFullYear()),
    yy: pad(wall.getUTCFullYear() % 100),
    MM: pad(wall.getUTCMonth() + 1),
    M: String(wall.getUTCMonth() + 1),
    dd: pad(wall.getUTCDate()),
    d: String(wall.getUTCDate()),
    HH: pad(wall.getUTCHours()),
    H: String(wall.getUTCHours()),
    mm: pad(wall.getUTCMinutes()),
    ss: pad(wall.getUTCSeconds()),
    fff: pad(wall.getUTCMilliseconds(), 3),
    zzz: offsetText(offset),
  };
  return format.replace(/yyyy|yy|MM|M|dd|d|HH|H|mm|ss|fff|zzz/g, (token) => tokens[token]);
}

/**
 * The same moment in another IANA time zone, as ISO 8601 with that zone's offset
 * ("2026-07-01T14:00:00.000+02:00"). A value with no zone ("2026-07-01 12:00") is read as a wall
 * clock in `fromTimeZone` (default UTC); Dates, numbers and strings with Z or an offset are instants.
 * @example Utils.dateTimeToAnotherTimeZone("2026-07-01T12:00:00Z", "Europe/Berlin") // "2026-07-01T14:00:00.000+02:00"
 */
export function dateTimeToAnotherTimeZone(
  value: DateInput,
  toTimeZone: string,
  fromTimeZone = "UTC",
): string {
  const wall = typeof value === "string" ? WALL_CLOCK.exec(value.trim()) : null;
  const instant = wall
    ? fromWallClock(wallClockMs(wall), fromTimeZone, "dateTimeToAnotherTimeZone")
    : toDate(value, "dateTimeToAnotherTimeZone").getTime();
  const offset = zoneOffsetMinutes(instant, String(toTimeZone), "dateTimeToAnotherTimeZone");
  const local = new Date(instant + offset * 60_000).toISOString().slice(0, -1);
  return `${local}${offsetText(offset)}`;
}

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

function addUtcMonths(date: Date, months: number): number {
  const next = new Date(date.getTime());
  next.setUTCMonth(next.getUTCMonth() + months);
  return next.getTime();
}

function wholeMonths(from: Date, to: Date): number {
  let months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (to >= from && addUtcMonths(from, months) > to.getTime()) months -= 1;
  if (to < from && addUtcMonths(from, months) < to.getTime()) months += 1;
  return months;
}

/**
 * Whole units from `from` to `to` (negative when `to` is earlier), truncated toward zero.
 * Units: milliseconds, seconds, minutes, hours, days (default), weeks, months, years (calendar, UTC).
 * @example Utils.getDatesDiff("2026-01-01", "2026-03-15") // 73
 * @example Utils.getDatesDiff(entity.creation_date, new Date(), "hours")
 */
export function getDatesDiff(from: DateInput, to: DateInput, unit: DateUnit = "days"): number {
  const start = toDate(from, "getDatesDiff");
  const end = toDate(to, "getDatesDiff");
  const name = String(unit).toLowerCase().replace(/s$/, "");
  if (name === "month") return wholeMonths(start, end) || 0;
  if (name === "year") return Math.trunc(wholeMonths(start, end) / 12) || 0;
  const size = UNIT_MS[name];
  if (!size)
    throw new TypeError(
      `Utils.getDatesDiff: unknown unit "${String(unit)}"; use milliseconds, seconds, minutes, hours, days, weeks, months or years.`,
    );
  return Math.trunc((end.getTime() - start.getTime()) / size) || 0;
}

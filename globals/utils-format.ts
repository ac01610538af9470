/**
 * `Utils.formatNumber` and `Utils.formatString`, .NET style (the vendor's runtime is .NET): the
 * standard numeric formats N, F, D, P, C, E, X and custom patterns such as "#,##0.00", rendered
 * with `Intl.NumberFormat` so locales come from ICU, not from hand-made tables.
 */
import { formatDateTime } from "./utils-dates.ts";

export type NumberFormat = string | Intl.NumberFormatOptions;

function standardOptions(letter: string, digits: number | undefined): Intl.NumberFormatOptions | null {
  const fixed = (d: number) => ({ minimumFractionDigits: d, maximumFractionDigits: d });
  switch (letter) {
    case "N":
      return { ...fixed(digits ?? 2), useGrouping: true };
    case "F":
      return { ...fixed(digits ?? 2), useGrouping: false };
    case "P":
      return { ...fixed(digits ?? 2), style: "percent", useGrouping: true };
    case "C":
      return { ...fixed(digits ?? 2), style: "currency", currency: "USD" };
    case "E":
      return { ...fixed(digits ?? 6), notation: "scientific", useGrouping: false };
    default:
      return null;
  }
}

/** Custom pattern: "0.00", "#,##0.##", "0%", "000". */
function customOptions(pattern: string): Intl.NumberFormatOptions {
  const percent = pattern.endsWith("%");
  const body = percent ? pattern.slice(0, -1) : pattern;
  const [integer, fraction = ""] = body.split(".");
  return {
    style: percent ? "percent" : "decimal",
    useGrouping: integer.includes(","),
    minimumIntegerDigits: Math.max((integer.match(/0/g) ?? []).length, 1),
    minimumFractionDigits: (fraction.match(/0/g) ?? []).length,
    maximumFractionDigits: (fraction.match(/[0#]/g) ?? []).length,
  };
}

/**
 * Formats a number. `format`: "N2" (grouped, 2 decimals, the default), "F0", "D5" (zero-padded
 * integer), "P1" (percent of a fraction), "C2" (currency: pass `{ style: "currency", currency: "EUR" }`
 * for others), "E3", "X" (hex), a pattern like "#,##0.00", or `Intl.NumberFormatOptions`.
 * @example Utils.formatNumber(1234.5, "N2") // "1,234.50";  Utils.formatNumber(1234.5, "N2", "de-DE") // "1.234,50"
 */
export function formatNumber(value: number | string, format: NumberFormat = "N2", locale = "en-US"): string {
  const number = typeof value === "number" ? value : Number(value);
  if (value === null || value === "" || Number.isNaN(number))
    throw new TypeError(`Utils.formatNumber: "${String(value)}" is not a number.`);
  if (typeof format === "object" && format !== null)
    return new Intl.NumberFormat(locale, format).format(number);
  const text = String(format).trim();
  const standard = /^([A-Za-z])(\d{1,2})?$/.exec(text);
  if (standard) {
    const letter = standard[1].toUpperCase();
    const digits = standard[2] === undefined ? undefined : Number(standard[2]);
    if (letter === "D") {
      const sign = number < 0 ? "-" : "";
      return sign + String(Math.trunc(Math.abs(number))).padStart(digits ?? 0, "0");
    }
    if (letter === "X") {
      const hex = Math.trunc(number)
        .toString(16)
        .padStart(digits ?? 0, "0");
      return standard[1] === "x" ? hex : hex.toUpperCase();
    }
    const options = standardOptions(letter, digits);
    if (options) return new Intl.NumberFormat(locale, options).format(number);
  }
  if (/^[#0,.%]+$/.test(text)) return new Intl.NumberFormat(locale, customOptions(text)).format(number);
  throw new TypeError(
    `Utils.formatNumber: unknown format "${text}"; use N2, F0, D5, P1, C2, E3, X or a pattern like "#,##0.00".`,
  );
}

function formatArgument(value: unknown, spec: string | undefined): string {
  if (value === null || value === undefined) return "";
  if (!spec) return typeof value === "object" ? JSON.stringify(value) : String(value);
  if (typeof value === "number") return formatNumber(value, spec);
  if (value instanceof Date || (typeof value === "string" && !Number.isNaN(Date.parse(value))))
    return formatDateTime(value as Date | string, spec);
  return String(value);
}

/**
 * .NET `String.Format`: "{0}", "{1:N2}", "{0:yyyy-MM-dd}" take the arguments by position; with one
 * object argument, "{name}" / "{total:N2}" take its properties. "{{" and "}}" are literal braces.
 * @example Utils.formatString("Invoice {0} for {1:N2} EUR", "INV-7", 1200) // "Invoice INV-7 for 1,200.00 EUR"
 * @example Utils.formatString("Hello {name}", { name: "Ada" }) // "Hello Ada"
 */
export function formatString(template: string, ...args: unknown[]): string {
  const named =
    args.length === 1 && typeof args[0] === "object" && args[0] !== null && !Array.isArray(args[0])
      ? (args[0] as Record<string, unknown>)
      : null;
  return String(template ?? "").replace(
    /\{\{|\}\}|\{([A-Za-z0-9_.$]+)(?::([^}]*))?\}/g,
    (match, key: string | undefined, spec: string | undefined) => {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      const source = /^\d+$/.test(key!) ? args : named;
      if (!source) throw new TypeError(`Utils.formatString: no argument for "${match}".`);
      const value = Array.isArray(source) ? source[Number(key)] : source[key!];
      if (Array.isArray(source) && Number(key) >= source.length)
        throw new TypeError(`Utils.formatString: "${match}" needs ${Number(key) + 1} arguments.`);
      return formatArgument(value, spec);
    },
  );
}

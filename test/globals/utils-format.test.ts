import { describe, expect, it } from "vitest";
import { dateTimeToAnotherTimeZone, formatDateTime, getDatesDiff } from "../../globals/utils-dates.ts";
import { formatNumber, formatString } from "../../globals/utils-format.ts";

// These functions run inside the isolate; they are plain TypeScript, so they are tested here directly.
describe("Utils.formatNumber", () => {
  it.each([
    [1234.5, "N2", "en-US", "1,234.50"],
    [1234.5, "N2", "de-DE", "1.234,50"],
    [1234.567, "N0", "en-US", "1,235"],
    [1234.5, "F1", "en-US", "1234.5"],
    [42, "D5", "en-US", "00042"],
    [-42, "D5", "en-US", "-00042"],
    [0.256, "P1", "en-US", "25.6%"],
    [9.5, "C2", "en-US", "$9.50"],
    [255, "X", "en-US", "FF"],
    [255, "x4", "en-US", "00ff"],
    [1234.5, "#,##0.00", "en-US", "1,234.50"],
    [12.34567, "0.##", "en-US", "12.35"],
    [7, "000", "en-US", "007"],
  ])("%s with %s (%s) -> %s", (value, format, locale, expected) => {
    expect(formatNumber(value, format, locale)).toBe(expected);
  });

  it("defaults to N2, takes numeric strings and Intl options, and rejects what is not a number", () => {
    expect(formatNumber(1000)).toBe("1,000.00");
    expect(formatNumber("12.5", "F2")).toBe("12.50");
    expect(formatNumber(5, { style: "currency", currency: "EUR" }, "de-DE")).toBe("5,00\u00a0€");
    expect(() => formatNumber("abc" as never)).toThrow(/"abc" is not a number/);
    expect(() => formatNumber(1, "Q7")).toThrow(/unknown format "Q7"/);
  });
});

describe("Utils.formatString", () => {
  it("fills positional arguments with .NET format specifiers", () => {
    expect(
      formatString("Invoice {0} for {1:N2} EUR, due {2:dd.MM.yyyy}", "INV-7", 1200, "2026-03-01T00:00:00Z"),
    ).toBe("Invoice INV-7 for 1,200.00 EUR, due 01.03.2026");
    expect(formatString("{0}{0} {{literal}}", "ab")).toBe("abab {literal}");
    expect(formatString("{0} and {1}", null, undefined)).toBe(" and ");
  });

  it("fills named placeholders from one object", () => {
    expect(formatString("Hello {name}, you owe {total:F2}", { name: "Ada", total: 3 })).toBe(
      "Hello Ada, you owe 3.00",
    );
  });

  it("says which argument is missing", () => {
    expect(() => formatString("{0} {1}", "x")).toThrow(/"\{1\}" needs 2 arguments/);
    expect(() => formatString("{name}")).toThrow(/no argument for "\{name\}"/);
  });
});

describe("Utils dates", () => {
  it("formatDateTime stays in UTC by default and takes an IANA zone or the value's own offset", () => {
    expect(formatDateTime("2026-07-01T12:00:00Z", "yyyy-MM-dd HH:mm")).toBe("2026-07-01 12:00");
    expect(formatDateTime("2026-07-01T12:00:00Z", "dd.MM.yyyy HH:mm zzz", "Europe/Berlin")).toBe(
      "01.07.2026 14:00 +02:00",
    );
    expect(formatDateTime("2026-07-01T08:00:00.000-04:00", "HH:mm")).toBe("08:00");
    expect(() => formatDateTime("soon", "HH:mm")).toThrow(/"soon" is not a date/);
  });

  it("dateTimeToAnotherTimeZone converts instants and reads zone-less values in fromTimeZone", () => {
    expect(dateTimeToAnotherTimeZone("2026-07-01T12:00:00Z", "Europe/Berlin")).toBe(
      "2026-07-01T14:00:00.000+02:00",
    );
    expect(dateTimeToAnotherTimeZone("2026-01-15T12:00:00Z", "America/New_York")).toBe(
      "2026-01-15T07:00:00.000-05:00",
    );
    expect(dateTimeToAnotherTimeZone("2026-07-01 09:00", "Asia/Kolkata", "America/New_York")).toBe(
      "2026-07-01T18:30:00.000+05:30",
    );
    // DST switch in Berlin (2026-03-29 02:00 -> 03:00): one second apart, one hour apart on the clock.
    expect(dateTimeToAnotherTimeZone("2026-03-29T00:59:59Z", "Europe/Berlin")).toBe(
      "2026-03-29T01:59:59.000+01:00",
    );
    expect(dateTimeToAnotherTimeZone("2026-03-29T01:00:00Z", "Europe/Berlin")).toBe(
      "2026-03-29T03:00:00.000+02:00",
    );
    expect(() => dateTimeToAnotherTimeZone(new Date(), "Mars/Olympus")).toThrow(/not an IANA time zone/);
  });

  it("getDatesDiff counts whole units, negative when to is earlier", () => {
    expect(getDatesDiff("2026-01-01", "2026-03-15")).toBe(73);
    expect(getDatesDiff("2026-03-15", "2026-01-01")).toBe(-73);
    expect(getDatesDiff("2026-01-01T00:00:00Z", "2026-01-01T05:59:00Z", "hours")).toBe(5);
    expect(getDatesDiff("2026-01-31", "2026-02-28", "months")).toBe(0);
    expect(getDatesDiff("2026-01-31", "2026-03-01", "months")).toBe(1);
    expect(getDatesDiff("2024-02-29", "2026-02-28", "years")).toBe(1);
    expect(getDatesDiff("2026-01-01", "2026-01-15", "weeks")).toBe(2);
    expect(() => getDatesDiff("2026-01-01", "2026-01-02", "fortnights" as never)).toThrow(/unknown unit/);
  });
});

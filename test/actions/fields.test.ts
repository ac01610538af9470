import { describe, expect, it } from "vitest";
import { FieldSchema } from "../../runtime/actions/fields.ts";

const schema = new FieldSchema("DEMO_APP", [
  { name: "c_day", caption: "Day", type: "date" },
  { name: "c_at", caption: "At", type: "datetime" },
]);
const accepts = (field: string, value: unknown) =>
  expect(schema.validate({ [field]: value })).toEqual({ [field]: value });
const refuses = (field: string, value: unknown, expected: RegExp) => {
  let error: any;
  try {
    schema.validate({ [field]: value });
  } catch (caught) {
    error = caught;
  }
  expect(error?.code, `${field} = ${JSON.stringify(value)}`).toBe("validation_error");
  expect(error.message).toMatch(expected);
};

describe("date fields", () => {
  it("accept calendar days, with or without a time", () => {
    for (const value of ["2024-02-29", "2023-12-31", "2024-01-01T10:00:00Z", "2024-06-01 08:30"])
      accepts("c_day", value);
  });
  it("accept null as an empty value", () =>
    expect(schema.validate({ c_day: null })).toEqual({ c_day: null }));
  it("refuse days that are not in the calendar, other formats and other types", () => {
    for (const value of [
      "2024-02-30",
      "2023-02-29",
      "2024-04-31",
      "2024-13-01",
      "2024-00-10",
      "01/02/2024",
      "2024-1-5",
      "",
      "today",
      20240101,
      true,
      ["2024-01-01"],
    ])
      refuses("c_day", value, /^Field "c_day" of app DEMO_APP expects a date \(YYYY-MM-DD\), got /);
  });
  it("name what they got", () => {
    refuses("c_day", "2024-02-30", /got the text "2024-02-30"\.$/);
    refuses("c_day", 5, /got a number\.$/);
  });
});

describe("datetime fields", () => {
  it("accept ISO 8601 date-times with seconds, fractions and offsets", () => {
    for (const value of [
      "2024-01-01T10:00Z",
      "2024-01-01T10:00:00",
      "2024-01-01 10:00:00",
      "2024-01-01T10:00:00.123+02:00",
      "2024-01-01T10:00:00-0530",
      "2024-02-29T23:59:59Z",
    ])
      accepts("c_at", value);
  });
  it("refuse a date without a time, impossible days and times, and other types", () => {
    for (const value of [
      "2024-01-01",
      "2024-02-30T10:00:00Z",
      "2024-01-01T25:00Z",
      "2024-01-01T10:60Z",
      "2024-01-01T10:00:00 UTC",
      "10:00",
      1704103200000,
      { at: "2024-01-01T10:00Z" },
    ])
      refuses("c_at", value, /^Field "c_at" of app DEMO_APP expects an ISO 8601 date-time, got /);
  });
});

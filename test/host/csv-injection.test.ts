/**
 * CSV injection (OWASP): text cells that a spreadsheet would run as a formula are written with a
 * leading `'`; numbers stay numbers; `{ escapeFormulas: false }` writes text unchanged. Files and
 * Utils both write through writeCsvText (their globals are covered in host-globals.test.ts).
 * Excel output keeps such text a string cell, never a formula.
 */
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { readExcel, writeExcel } from "../../runtime/host/documents/excel.ts";
import { parseCsvText, writeCsvText } from "../../runtime/host/csv.ts";

describe("writeCsvText", () => {
  it.each([
    ["=", "=1+2"],
    ["+", "+1+2"],
    ["-", "-2+3"],
    ["@", "@SUM(A1:A9)"],
    ["tab", "\t=1+2"],
    ["carriage return", "\r=1+2"],
  ])("prefixes a text cell starting with %s by a quote", (_, cell) => {
    const [line] = parseCsvText(writeCsvText([[cell, "plain"]]), { columns: false }) as string[][];
    expect(line).toEqual([`'${cell}`, "plain"]);
  });

  it("leaves numbers, text that starts otherwise and text with a formula sign inside alone", () => {
    expect(writeCsvText([[-5, 3.5, "a=b", " =x", "", "x-1"]])).toBe("-5,3.5,a=b, =x,,x-1\n");
  });

  it("neutralises object rows and their header names too", () => {
    expect(writeCsvText([{ "=cmd": '=HYPERLINK("http://x")', n: -1 }])).toBe(
      `'=cmd,n\n"'=HYPERLINK(""http://x"")",-1\n`,
    );
  });

  it("writes text as it is with { escapeFormulas: false }", () => {
    expect(writeCsvText([{ "=cmd": "@SUM(A1)", n: -1 }], { escapeFormulas: false })).toBe(
      "=cmd,n\n@SUM(A1),-1\n",
    );
    expect(writeCsvText([["\t=1"]], { escapeFormulas: false })).toBe("\t=1\n");
  });
});

describe("writeExcel", () => {
  it("stores text that looks like a formula as a string cell, not a formula", async () => {
    const bytes = await writeExcel([{ name: "S", rows: [{ cell: '=HYPERLINK("http://x","y")', n: -5 }] }]);
    const sheet = strFromU8(unzipSync(bytes)["xl/worksheets/sheet1.xml"]);
    expect(sheet).not.toContain("<f>");
    expect(sheet).toMatch(/<c r="A2"[^>]* t="s"/);
    expect(await readExcel(bytes)).toEqual([{ cell: '=HYPERLINK("http://x","y")', n: -5 }]);
  });
});

/**
 * The host-backed globals of issue 13 part B, called from real action logic in an isolate:
 * Utils hashing/JWT/CSV, LiquidParser, console.profile and the Files document helpers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { createHash } from "node:crypto";
import { strFromU8, unzipSync } from "fflate";
import { readFile } from "node:fs/promises";
import { PDFDocument } from "pdf-lib";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const LOGIC = `
import { entity } from "#typings";
const out = (value: unknown) => { entity.c_json_data = value; };
export default {
  utils() {
    const jwt = "eyJhbGciOiJIUzI1NiJ9." + Utils.toBase64(JSON.stringify({ sub: "u1", exp: 1900000000 })).replace(/=+$/, "") + ".c2ln";
    out({
      md5: Utils.generateMd5("hello"),
      claims: Utils.parseJwt(jwt),
      csv: Utils.writeCsvString([{ a: 1, b: "x,y" }, { a: 2, b: 'q"' }]),
      csvBack: Utils.parseCsvString(Utils.writeCsvString([{ a: "1", b: "x,y" }])),
      number: Utils.formatNumber(1234.5, "N2", "de-DE"),
      text: Utils.formatString("{0} owes {1:N2}", "Ada", 3),
      zone: Utils.dateTimeToAnotherTimeZone("2026-07-01T12:00:00Z", "Europe/Berlin"),
      days: Utils.getDatesDiff("2026-01-01", "2026-01-31"),
    });
  },
  bad_jwt() {
    try { Utils.parseJwt("not.a.jwt"); } catch (error: any) { out({ code: error.code, message: error.message }); }
  },
  liquid() {
    out({
      plain: LiquidParser.parse("Hello {{ name | upcase }}, {{ Vars.items | size }} items{% for i in items %} {{ i }}{% endfor %}", { name: "Ada", items: [1, 2] }),
      missing: LiquidParser.parse("[{{ nothing }}]", {}),
    });
  },
  liquid_include() {
    LiquidParser.parse("{% include '/etc/passwd' %}", {});
  },
  liquid_bad() {
    LiquidParser.parse("{% if %}", {});
  },
  liquid_huge() {
    LiquidParser.parse("{% for i in (1..100000) %}{{ big }}{% endfor %}", { big: "x".repeat(1000) });
  },
  profile() {
    console.profile("block");
    ComindServer.sleep(20);
    console.profileEnd("block");
    console.profileEnd("never-started");
  },
  documents() {
    const xlsx = Files.writeExcelFileRef([{ id: 1, name: "Widget" }, { id: 2, name: "Gadget" }], "items");
    const rows = Files.readExcelFileRef(xlsx);
    const many = Files.writeExcelFileRef({ First: [["a"], [1]], Second: [{ b: 2 }] }, "two.xlsx");
    const second = Files.readExcelFileRef(many.ref, { sheet: "Second" });
    const pdfA = Files.writePdfFileRef({ html: "<h1>A</h1>", fileName: "a" });
    const pdfB = Files.writePdfFileRef({ html: "<p>B</p><p style='page-break-before:always'>C</p>" });
    const merged = Files.mergePdfFileRefs([pdfA, pdfB.ref], "both.pdf");
    const zip = Files.zipFileRefs([xlsx, merged, Files.writeCsvFileRef([{ a: 1 }], "a.csv")], "bundle");
    out({ xlsx, rows, second, pdfA, merged, zip, zipId: Files.persistFileRef(zip).uploadedFileId });
  },
  excel_not_xlsx() {
    Files.readExcelFileRef(Files.useBase64DataAsFileRef(Utils.toBase64("plain text"), "x.xlsx"));
  },
  pdf_huge() {
    const row = "<tr><td>F-10</td><td>Filter, large</td><td>2</td><td>10.50</td></tr>";
    Files.writePdfFileRef({ html: "<table>" + row.repeat(25000) + "</table>" });
  },
  pdf_small() {
    out(Files.writePdfFileRef({ html: "<p>small</p>" }));
  },
  pdf_without_html() {
    (Files as any).writePdfFileRef({ text: "hi" });
  },
  csv_formulas() {
    const rows = [{ name: '=HYPERLINK("http://evil.example","open")', total: -5 }, { name: "@SUM(A1)", total: 3 }];
    const text = (ref: any) => Utils.fromBase64(Files.readFileRefAsBase64(ref));
    out({
      string: Utils.writeCsvString(rows),
      rawString: Utils.writeCsvString(rows, { escapeFormulas: false }),
      file: text(Files.writeCsvFileRef(rows, "f.csv")),
      rawFile: text(Files.writeCsvFileRef(rows, "r.csv", { escapeFormulas: false })),
    });
  },
};`;

let t: TestRuntime;
beforeAll(async () => {
  t = await startRuntime();
  await t.runtime.loadApp(
    writeTempApp({
      "actions/index.ts": `export default ${JSON.stringify(
        [
          "utils",
          "bad_jwt",
          "liquid",
          "liquid_include",
          "liquid_bad",
          "liquid_huge",
          "profile",
          "documents",
          "excel_not_xlsx",
          "pdf_without_html",
          "pdf_huge",
          "pdf_small",
          "csv_formulas",
        ].map((uid) => ({ uid })),
      )} as const;\n`,
      "actions/logic/index.ts": LOGIC,
    }),
  );
});
afterAll(async () => {
  await t.close();
  removeTempApps();
});

async function output(action: string): Promise<any> {
  const result = await t.runtime.run({ caller: asDeveloper(), app: "TEMP", action });
  if (!result.ok) throw new Error(`${action} failed: ${result.error.code} ${result.error.message}`);
  return result.entity.c_json_data;
}
async function failure(action: string) {
  const result = await t.runtime.run({ caller: asDeveloper(), app: "TEMP", action });
  if (result.ok) throw new Error(`${action} should have failed`);
  return result.error;
}

describe("Utils host calls", () => {
  it("hashes, decodes JWT claims without verifying them, and writes CSV that parses back", async () => {
    const out = await output("utils");
    expect(out.md5).toBe(createHash("md5").update("hello").digest("hex"));
    expect(out.claims).toEqual({ sub: "u1", exp: 1900000000 });
    expect(out.csv).toBe('a,b\n1,"x,y"\n2,"q"""\n');
    expect(out.csvBack).toEqual([{ a: "1", b: "x,y" }]);
    expect(out.number).toBe("1.234,50");
    expect(out.text).toBe("Ada owes 3.00");
    expect(out.zone).toBe("2026-07-01T14:00:00.000+02:00");
    expect(out.days).toBe(30);
  });

  it("Utils.writeCsvString and Files.writeCsvFileRef neutralise formulas unless told to write raw text", async () => {
    const out = await output("csv_formulas");
    const escaped = `name,total\n"'=HYPERLINK(""http://evil.example"",""open"")",-5\n'@SUM(A1),3\n`;
    const raw = `name,total\n"=HYPERLINK(""http://evil.example"",""open"")",-5\n@SUM(A1),3\n`;
    expect(out).toEqual({ string: escaped, file: escaped, rawString: raw, rawFile: raw });
  });

  it("parseJwt on something that is not a JWT throws a catchable bad_request", async () => {
    const out = await output("bad_jwt");
    expect(out.code).toBe("bad_request");
    expect(out.message).toMatch(/not a JWT/);
  });
});

describe("LiquidParser.parse", () => {
  it("renders with the vars at the top level and under Vars.", async () => {
    expect(await output("liquid")).toEqual({ plain: "Hello ADA, 2 items 1 2", missing: "[]" });
  });

  it("cannot read files, reports bad templates and stops runaway output", async () => {
    const include = await failure("liquid_include");
    expect(include.code).toBe("forbidden");
    expect(include.message).toMatch(/cannot read files/);
    const bad = await failure("liquid_bad");
    expect(bad.code).toBe("logic_error");
    expect(bad.message).toMatch(/not valid Liquid/);
    const huge = await failure("liquid_huge");
    expect(huge.code).toBe("limit_exceeded");
  });
});

describe("console.profile", () => {
  it("logs the time between profile and profileEnd", async () => {
    const result = await t.runtime.run({ caller: asDeveloper(), app: "TEMP", action: "profile" });
    expect(result.ok).toBe(true);
    const lines = result.logs.map((entry) => entry.message);
    const ms = Number(/^\[profile\] block: (\d+) ms$/.exec(lines[0])?.[1]);
    expect(ms).toBeGreaterThanOrEqual(15);
    expect(lines[1]).toBe("[profile] never-started: profileEnd without profile");
  });
});

describe("Files document helpers", () => {
  it("write and read xlsx, render and merge PDFs and zip them, all as file references", async () => {
    const out = await output("documents");
    expect(out.xlsx).toMatchObject({
      fileName: "items.xlsx",
      contentType: expect.stringContaining("spreadsheetml"),
    });
    expect(out.rows).toEqual([
      { id: 1, name: "Widget" },
      { id: 2, name: "Gadget" },
    ]);
    expect(out.second).toEqual([{ b: 2 }]);
    expect(out.pdfA).toMatchObject({ fileName: "a.pdf", contentType: "application/pdf" });
    expect(out.merged.fileName).toBe("both.pdf");
    expect(out.zip.fileName).toBe("bundle.zip");
    const stored = await t.store.getFile(out.zipId);
    expect(stored?.size).toBe(out.zip.size);
    const entries = unzipSync(await readFile(await t.store.filePath(out.zipId)));
    expect(Object.keys(entries).sort()).toEqual(["a.csv", "both.pdf", "items.xlsx"]);
    expect(strFromU8(entries["a.csv"])).toBe("a\n1\n");
    expect((await PDFDocument.load(entries["both.pdf"])).getPageCount()).toBe(3);
  });

  it("errors say what is wrong", async () => {
    expect(await failure("excel_not_xlsx")).toMatchObject({
      code: "logic_error",
      message: expect.stringMatching(/not an .xlsx workbook/),
    });
    expect((await failure("pdf_without_html")).message).toMatch(/pass \{ html/);
  });
});

describe("in a sandbox worker process", () => {
  it("Liquid and hashing through a worker process (Liquid in a server thread), document helpers on the server, with the same results", async () => {
    const inWorker = await startRuntime({ workers: 1 });
    try {
      await inWorker.runtime.loadApp([...t.runtime.apps.values()][0].dir);
      const liquid = await inWorker.runtime.run({ caller: asDeveloper(), app: "TEMP", action: "liquid" });
      expect(liquid.ok && liquid.entity.c_json_data).toEqual({
        plain: "Hello ADA, 2 items 1 2",
        missing: "[]",
      });
      const documents = await inWorker.runtime.run({
        caller: asDeveloper(),
        app: "TEMP",
        action: "documents",
      });
      expect(documents.ok && (documents.entity.c_json_data as any).rows).toEqual([
        { id: 1, name: "Widget" },
        { id: 2, name: "Gadget" },
      ]);
    } finally {
      await inWorker.close();
    }
  });
});

describe("document work off the event loop", () => {
  it("a huge PDF renders in a worker thread: the host stays responsive and the deadline stops it", async () => {
    const short = await startRuntime();
    try {
      await short.runtime.loadApp([...t.runtime.apps.values()][0].dir);
      const startedAt = Date.now();
      let timerFiredAt = 0;
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          timerFiredAt = Date.now();
          resolve();
        }, 100),
      );
      // A 25,000-row table (~1.7 MB of HTML) takes seconds to render, far more than this 1 s limit.
      const result = await short.runtime.run({
        caller: asDeveloper(),
        app: "TEMP",
        action: "pdf_huge",
        wallMs: 1_000,
      });
      const finishedAt = Date.now();
      await timer;
      expect(!result.ok && result.error.code).toBe("timeout");
      // Rendering on the event loop would hold the 100 ms timer until the render was over (seconds).
      expect(timerFiredAt - startedAt).toBeLessThan(1_000);
      expect(timerFiredAt).toBeLessThan(finishedAt);
      const after = await short.runtime.run({ caller: asDeveloper(), app: "TEMP", action: "pdf_small" });
      expect(after.ok ? "ok" : after.error).toBe("ok");
    } finally {
      await short.close();
    }
  });
});

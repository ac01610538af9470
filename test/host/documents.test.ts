import { describe, expect, it } from "vitest";
import { strFromU8, unzipSync, zipSync } from "fflate";
import { PDFDocument } from "pdf-lib";
import { readExcel, writeExcel } from "../../runtime/host/documents/excel.ts";
import { htmlToPdf } from "../../runtime/host/documents/html-pdf.ts";
import { mergePdfs } from "../../runtime/host/documents/merge-pdf.ts";
import { zipFiles } from "../../runtime/host/documents/zip.ts";
import { assertUnpackedSize } from "../../runtime/host/documents/zip-guard.ts";
import { pdfText } from "../helpers/pdf-text.ts";

const pages = async (bytes: Uint8Array) => (await PDFDocument.load(bytes)).getPageCount();
describe("writePdfFileRef's HTML renderer", () => {
  it("renders headings, inline styles, lists and tables as text on the page", async () => {
    const pdf = await htmlToPdf(
      `<h1>Service report</h1><p>Total: <b>42</b> &amp; <i>more</i></p>
       <ul><li>First item</li><li>Second item</li></ul>
       <table><tr><th>Name</th><th>Qty</th></tr><tr><td>Widget</td><td>7</td></tr></table>
       <script>alert("never")</script>`,
    );
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(await pages(pdf)).toBe(1);
    const text = await pdfText(pdf);
    for (const expected of [
      "Service report",
      "Total: 42 & more",
      "• First item",
      "• Second item",
      "Name",
      "Qty",
      "Widget",
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain("alert");
  });

  it("prints text beyond Latin-1 (embedded DejaVu fonts)", async () => {
    const text = await pdfText(await htmlToPdf("<p>Привет, Łódź — 5 €</p><pre>code ✓</pre>"));
    expect(text).toContain("Привет, Łódź — 5 €");
    expect(text).toContain("code ✓");
  });

  it("draws data-URI images, leaves out remote ones and refuses a broken one", async () => {
    // A 2x1 PNG (red, blue).
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==";
    const withImage = await htmlToPdf(
      `<p>logo</p><img src="data:image/png;base64,${png}" width="200"><p>after</p>`,
    );
    const without = await htmlToPdf("<p>logo</p><p>after</p>");
    expect(withImage.toString("latin1")).toMatch(/\/Subtype \/Image/);
    expect(without.toString("latin1")).not.toMatch(/\/Subtype \/Image/);
    const remote = await htmlToPdf('<img src="https://example.com/x.png"><p>text</p>');
    expect(remote.toString("latin1")).not.toMatch(/\/Subtype \/Image/);
    expect(await pdfText(remote)).toBe("text");
    // A data-URI image that cannot be read fails the document (it used to be left out silently).
    expect(() => htmlToPdf('<img src="data:image/png;base64,AAAA"><p>text</p>')).toThrow(
      expect.objectContaining({ code: "bad_request" }),
    );
  });

  it("starts a new page on page-break-before and honours landscape", async () => {
    const pdf = await htmlToPdf('<p>one</p><div style="page-break-before: always">two</div>', {
      landscape: true,
    });
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(2);
    const { width, height } = doc.getPage(0).getSize();
    expect(width).toBeGreaterThan(height);
  });
});

describe("xlsx", () => {
  it("writes objects with a header row and reads them back", async () => {
    const bytes = await writeExcel([
      {
        name: "Orders",
        rows: [
          { id: 1, customer: "Acme", total: 9.5, paid: true },
          { id: 2, customer: "Beta" },
        ],
      },
      {
        name: "Bad:name?",
        rows: [
          ["a", "b"],
          [1, 2],
        ],
      },
    ]);
    expect(await readExcel(bytes)).toEqual([
      { id: 1, customer: "Acme", total: 9.5, paid: true },
      { id: 2, customer: "Beta", total: null, paid: null },
    ]);
    expect(await readExcel(bytes, { sheet: 2, columns: false })).toEqual([
      ["a", "b"],
      [1, 2],
    ]);
    expect(await readExcel(bytes, { sheet: "Bad name" })).toEqual([{ a: 1, b: 2 }]);
    await expect(readExcel(bytes, { sheet: "Nope" })).rejects.toThrow(
      /no sheet "Nope" \(sheets: Orders, Bad name\)/,
    );
  });

  it("refuses a file that is not a workbook and a zip that unpacks too large", async () => {
    await expect(readExcel(Buffer.from("not a zip"))).rejects.toMatchObject({ code: "bad_request" });
    const bomb = Buffer.from(zipSync({ "x.xml": new Uint8Array(101 * 1024 * 1024) }, { level: 9 }));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(() => assertUnpackedSize(bomb, "readExcelFileRef")).toThrow(/unpacks to \d+ bytes/);
  });
});

describe("zip and PDF merge", () => {
  it("zips files under unique names", () => {
    const zip = zipFiles([
      { name: "a.txt", bytes: Buffer.from("one") },
      { name: "a.txt", bytes: Buffer.from("two") },
    ]);
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual(["a.txt", "a (2).txt"]);
    expect(strFromU8(entries["a (2).txt"])).toBe("two");
  });

  it("merges the pages in order and names a file that is not a PDF", async () => {
    const one = await htmlToPdf("<p>one</p>");
    const two = await htmlToPdf('<p>two</p><p style="page-break-before: always">three</p>');
    const merged = await mergePdfs([
      { name: "one.pdf", bytes: one },
      { name: "two.pdf", bytes: two },
    ]);
    expect(await pages(merged)).toBe(3);
    await expect(mergePdfs([{ name: "notes.txt", bytes: Buffer.from("hello") }])).rejects.toThrow(
      /"notes.txt" is not a readable PDF/,
    );
  });
});

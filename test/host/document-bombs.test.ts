/**
 * Decompression bombs and oversized inputs handed to the document helpers, through the same
 * worker-thread pool the host calls use: each fails its task with a coded error, the process's
 * memory does not jump (the threads live in this process, so their Buffers count in its RSS), and
 * a normal document still works afterwards.
 */
import { deflateRawSync } from "node:zlib";
import { strToU8, unzipSync, zipSync } from "fflate";
import { PDFDocument } from "pdf-lib";
import { afterAll, describe, expect, it } from "vitest";
import { writeExcel } from "../../runtime/host/documents/excel.ts";
import { DocumentPool } from "../../runtime/host/documents/pool.ts";
import {
  dataUri,
  deflatedZeros,
  jpegHeader,
  pdfWithObjectStream,
  png,
  zipArchive,
} from "../helpers/bomb-files.ts";
import { pdfText } from "../helpers/pdf-text.ts";

const MB = 1024 * 1024;
/** Far below what any bomb here unpacks to (a 12,000 × 12,000 RGBA image alone is 576 MB). */
const RSS_GROWTH_BOUND = 200 * MB;

const pool = new DocumentPool();
afterAll(() => pool.close());
const run = <T>(task: Parameters<DocumentPool["run"]>[0], arg: object, into = pool) =>
  into.run<T>(task, arg, new AbortController().signal);
const renderPdf = (html: string, into = pool) =>
  run<Uint8Array>("renderPdf", { html, options: {} }, into).then((bytes) => Buffer.from(bytes));

/** Runs `work` and reports how far the process's RSS rose above where it started, sampled every 5 ms. */
async function rssGrowth(work: () => Promise<unknown>): Promise<{ growth: number; outcome: unknown }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  let outcome: unknown;
  try {
    outcome = await work();
  } catch (error) {
    outcome = error;
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { growth: peak - start, outcome };
}

describe("images in writePdfFileRef", () => {
  it("refuses a 12,000 × 12,000 PNG bomb from its header, without the memory of a decode", async () => {
    const small = png(40, 30);
    // Warm the thread and pdfkit first, so that what is measured is the bomb alone.
    expect((await renderPdf(`<img src="${dataUri(small)}">`)).toString("latin1")).toMatch(
      /\/Subtype \/Image/,
    );
    const bomb = png(12_000, 12_000);
    expect(bomb.length).toBeLessThan(MB);
    const { growth, outcome } = await rssGrowth(() => renderPdf(`<p>x</p><img src="${dataUri(bomb)}">`));
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(outcome).toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/12000 × 12000 pixels/),
    });
    const after = await renderPdf(`<p>still works</p><img src="${dataUri(small)}">`);
    expect(await pdfText(after)).toContain("still works");
  });

  it("refuses a PNG whose data unpacks to more than its header says", async () => {
    const liar = png(100, 100, 400 * MB);
    const { growth, outcome } = await rssGrowth(() => renderPdf(`<img src="${dataUri(liar)}">`));
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(outcome).toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/larger than its header/),
    });
  });

  it("caps the PNGs pdfkit decodes per document, not only per image", async () => {
    const tight = new DocumentPool({ maxImagePixels: 10_000 });
    try {
      // The budget is one RGBA image of the largest size (40,000 bytes here). A 50 × 50 RGBA tile
      // unpacks to 10,050 bytes (a filter byte a row): three fit, four do not.
      const tile = `<img src="${dataUri(png(50, 50))}">`;
      expect((await renderPdf(tile.repeat(3), tight)).length).toBeGreaterThan(0);
      await expect(renderPdf(tile.repeat(4), tight)).rejects.toMatchObject({
        code: "limit_exceeded",
        message: expect.stringMatching(/unpack to \d+ bytes together/),
      });
      await expect(renderPdf(`<img src="${dataUri(png(101, 100))}">`, tight)).rejects.toMatchObject({
        code: "limit_exceeded",
        message: expect.stringMatching(/limit is 10000 pixels/),
      });
    } finally {
      await tight.close();
    }
  });

  it("checks a JPEG's size from its frame header and refuses what is not an image", async () => {
    await expect(
      renderPdf(`<img src="${dataUri(jpegHeader(12_000, 12_000), "jpeg")}">`),
    ).rejects.toMatchObject({
      code: "limit_exceeded",
    });
    const jpeg = await renderPdf(`<img src="${dataUri(jpegHeader(64, 48), "jpeg")}">`);
    expect(jpeg.toString("latin1")).toMatch(/\/Width 64\s+\/Height 48/);
    for (const src of ["data:image/png;base64,AAAA", dataUri(Buffer.from("GIF89a........"), "jpeg")])
      await expect(renderPdf(`<img src="${src}">`)).rejects.toMatchObject({
        code: "bad_request",
        message: expect.stringMatching(/not a readable PNG or JPEG/),
      });
  });
});

describe("xlsx inputs of readExcelFileRef", () => {
  const readWorkbook = (bytes: Buffer) => run<unknown[]>("readWorkbook", { bytes, options: {} });

  it("refuses an entry that unpacks to far more than it declares, while inflating it", async () => {
    const liar = zipArchive([
      { name: "xl/worksheets/sheet1.xml", data: deflatedZeros(400 * MB), declaredSize: 1024 },
    ]);
    expect(liar.length).toBeLessThan(MB);
    await readWorkbook(await writeExcel([{ name: "S", rows: [{ a: 1 }] }])); // warm the thread
    const { growth, outcome } = await rssGrowth(() => readWorkbook(liar));
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(outcome).toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/unpacks to more than/),
    });
  });

  it("refuses an archive with too many entries, from its central directory", async () => {
    const empty = deflateRawSync(Buffer.alloc(0));
    const many = zipArchive(
      Array.from({ length: 10_001 }, (_, index) => ({ name: `f${index}`, data: empty, declaredSize: 0 })),
    );
    await expect(readWorkbook(many)).rejects.toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/10001 entries; the limit is 10000/),
    });
  });

  it("refuses a workbook with more cells than the cap before exceljs builds them", async () => {
    const small = await writeExcel([{ name: "S", rows: [{ a: 1 }] }]);
    const files = unzipSync(small);
    const row = (r: number) => `<row r="${r}">${`<c r="A${r}"><v>1</v></c>`.repeat(10)}</row>`;
    const rows = Array.from({ length: 110_000 }, (_, index) => row(index + 1)).join("");
    files["xl/worksheets/sheet1.xml"] = strToU8(
      `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
    );
    const huge = Buffer.from(zipSync(files, { level: 1 }));
    const { growth, outcome } = await rssGrowth(() => readWorkbook(huge));
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(outcome).toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/1100000 cells; the limit is 1000000/),
    });
    expect(await readWorkbook(small)).toEqual([{ a: 1 }]);
  });
});

describe("PDF inputs of mergePdfFileRefs", () => {
  const merge = (...bytes: Buffer[]) =>
    run<Uint8Array>("mergePdf", {
      files: bytes.map((each, index) => ({ name: `in${index}.pdf`, bytes: each })),
    });

  it("refuses an object stream that unpacks past the cap, without unpacking it", async () => {
    const normal = await renderPdf("<p>one</p>");
    expect((await merge(normal, normal)).length).toBeGreaterThan(0); // warm the thread and pdf-lib
    const bomb = pdfWithObjectStream(400 * MB);
    expect(bomb.length).toBeLessThan(MB);
    const { growth, outcome } = await rssGrowth(() => merge(normal, bomb));
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(outcome).toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/"in1.pdf" has a compressed stream that unpacks to more than/),
    });
    expect(await pdfText(Buffer.from(await merge(normal)))).toContain("one");
  });

  it("refuses more pages than the cap", async () => {
    const doc = await PDFDocument.create();
    for (let page = 0; page < 2_501; page++) doc.addPage([10, 10]);
    const many = Buffer.from(await doc.save());
    await expect(merge(many, many)).rejects.toMatchObject({
      code: "limit_exceeded",
      message: expect.stringMatching(/more than 5000 pages/),
    });
  });
});

describe("the worker threads' heap limit", () => {
  it("fails a task that runs out of heap with limit_exceeded and replaces its thread", async () => {
    const small = new DocumentPool({ threadHeapMb: 48 });
    try {
      const rows = Array.from({ length: 60_000 }, (_, index) => ({
        id: index,
        text: `row ${index}`,
        more: "x".repeat(50),
      }));
      await expect(run("buildWorkbook", { sheets: [{ name: "S", rows }] }, small)).rejects.toMatchObject({
        code: "limit_exceeded",
        message: expect.stringMatching(/more than 48 MB of memory/),
      });
      const bytes = await run<Uint8Array>(
        "buildWorkbook",
        { sheets: [{ name: "S", rows: [{ a: 1 }] }] },
        small,
      );
      expect(await run("readWorkbook", { bytes, options: {} }, small)).toEqual([{ a: 1 }]);
    } finally {
      await small.close();
    }
  });
});

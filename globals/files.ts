/**
 * `Files` inside the isolate. A file reference is `{ ref, fileName, contentType, size }`;
 * temporary references (downloads, base64, CSV) expire after the action unless persisted.
 *
 * @example
 *   const stored = Files.persistFileRef(res.downloadedFileRef.ref); // { uploadedFileId }
 */
import type { CsvOptions, ExcelReadOptions, FileRef, PdfFromHtml } from "./bridge-contract.ts";
import { callAsync } from "./host-call.ts";

type FileRefLike = string | { ref: string };

function refsOf(files: FileRefLike[], caller: string): string[] {
  if (!Array.isArray(files) || files.length === 0)
    throw new TypeError(`Files.${caller}: pass an array of file references.`);
  return files.map((file) => refOf(file, caller));
}

function isPlainObject(value: unknown): value is Record<string, unknown[]> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refOf(file: FileRefLike, caller: string): string {
  const ref = typeof file === "string" ? file : file?.ref;
  if (typeof ref !== "string" || ref === "")
    throw new TypeError(`Files.${caller}: pass a file reference or its .ref string.`);
  return ref;
}

export const Files = {
  /** Reference to a stored file, e.g. `entity.attachments__list[0].file_uid`. */
  getFileRef(fileUid: string): FileRef {
    if (typeof fileUid !== "string" || fileUid === "")
      throw new TypeError("Files.getFileRef: pass the file_uid of a stored file.");
    return callAsync("files.getRef", { fileUid });
  },
  /** Keeps a temporary file: it is stored when the action commits. */
  persistFileRef(file: FileRefLike): { uploadedFileId: string } {
    return callAsync("files.persist", { ref: refOf(file, "persistFileRef") });
  },
  readFileRefAsBase64(file: FileRefLike): string {
    return callAsync("files.readBase64", { ref: refOf(file, "readFileRefAsBase64") });
  },
  useBase64DataAsFileRef(data: string, fileName?: string, contentType?: string): FileRef {
    if (typeof data !== "string") throw new TypeError("Files.useBase64DataAsFileRef: pass base64 text.");
    return callAsync("files.fromBase64", { data, fileName, contentType });
  },
  /** Rows of a CSV file: objects keyed by the header row (or arrays with `{ columns: false }`). */
  readCsvFileRef(file: FileRefLike, options?: CsvOptions): any[] {
    return callAsync("files.readCsv", { ref: refOf(file, "readCsvFileRef"), options });
  },
  /** Writes rows (objects or arrays) to a temporary CSV file. */
  writeCsvFileRef(rows: unknown[], fileName?: string, options?: CsvOptions): FileRef {
    if (!Array.isArray(rows)) throw new TypeError("Files.writeCsvFileRef: pass an array of rows.");
    return callAsync("files.writeCsv", { rows, fileName, options });
  },
  /**
   * Rows of an .xlsx sheet (the first unless `{ sheet: "Name" }` or `{ sheet: 2 }`): objects keyed
   * by the header row, or arrays with `{ columns: false }`. Dates come as ISO strings, formulas as
   * their cached result.
   */
  readExcelFileRef(file: FileRefLike, options?: ExcelReadOptions): any[] {
    return callAsync("files.readExcel", { ref: refOf(file, "readExcelFileRef"), options });
  },
  /**
   * Writes rows (objects: a bold header row from their keys; arrays: as they are) to a temporary
   * .xlsx file. Several sheets: pass `{ "Sheet name": rows, ... }`.
   * @example Files.writeExcelFileRef([{ id: 1, total: 9.5 }], "orders.xlsx")
   */
  writeExcelFileRef(
    rows: unknown[] | Record<string, unknown[]>,
    fileName?: string,
    options?: { sheetName?: string },
  ): FileRef {
    const sheets = Array.isArray(rows)
      ? [{ name: options?.sheetName ?? "Sheet1", rows }]
      : isPlainObject(rows)
        ? Object.entries(rows).map(([name, sheetRows]) => ({ name, rows: sheetRows }))
        : null;
    if (!sheets || sheets.some((sheet) => !Array.isArray(sheet.rows)))
      throw new TypeError("Files.writeExcelFileRef: pass an array of rows, or { sheetName: rows }.");
    return callAsync("files.writeExcel", { sheets, fileName });
  },
  /** A temporary .zip of the files (entry names are their file names, made unique). */
  zipFileRefs(files: FileRefLike[], fileName?: string): FileRef {
    return callAsync("files.zip", { refs: refsOf(files, "zipFileRefs"), fileName });
  },
  /**
   * A temporary PDF rendered from HTML on the host (no browser; docs/app-developers.md lists the HTML subset).
   * @example Files.writePdfFileRef({ html: "<h1>Report</h1><p>Total: <b>42</b></p>", fileName: "report.pdf" })
   */
  writePdfFileRef(options: PdfFromHtml): FileRef {
    if (!options || typeof options.html !== "string")
      throw new TypeError("Files.writePdfFileRef: pass { html: '<h1>…</h1>' }.");
    return callAsync("files.writePdf", options);
  },
  /** The pages of the PDFs, in order, in one temporary PDF. */
  mergePdfFileRefs(files: FileRefLike[], fileName?: string): FileRef {
    return callAsync("files.mergePdf", { refs: refsOf(files, "mergePdfFileRefs"), fileName });
  },
};

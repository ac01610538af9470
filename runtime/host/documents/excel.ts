/**
 * xlsx through exceljs: `Files.readExcelFileRef` rows (objects keyed by the header row, like
 * `readCsvFileRef`) and `Files.writeExcelFileRef` (one sheet per name, a bold header row).
 */
import ExcelJS from "exceljs";
import type { ExcelReadOptions } from "../../../globals/bridge-contract.ts";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import { assertUnpackedSize } from "./zip-guard.ts";

type Cell = string | number | boolean | null;

function plainCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    if ("richText" in value) return value.richText.map((part) => part.text).join("");
    if ("formula" in value || "sharedFormula" in value)
      return plainCell((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ("hyperlink" in value) return String((value as { text?: unknown }).text ?? value.hyperlink);
    if ("error" in value) return String(value.error);
  }
  return String(value);
}

function pickSheet(workbook: ExcelJS.Workbook, sheet: ExcelReadOptions["sheet"]): ExcelJS.Worksheet {
  const found =
    sheet === undefined
      ? workbook.worksheets[0]
      : typeof sheet === "number"
        ? workbook.worksheets[sheet - 1]
        : workbook.getWorksheet(String(sheet));
  if (!found) {
    const names = workbook.worksheets.map((each) => each.name).join(", ");
    throw new RuntimeError(
      "not_found",
      `The workbook has no sheet ${JSON.stringify(sheet ?? 1)} (sheets: ${names || "none"}).`,
    );
  }
  return found;
}

export async function readExcel(bytes: Buffer, options: ExcelReadOptions = {}): Promise<unknown[]> {
  assertUnpackedSize(bytes, "readExcelFileRef", "an .xlsx workbook");
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new RuntimeError("bad_request", "Files.readExcelFileRef: the file is not an .xlsx workbook.");
  }
  const rows: Cell[][] = [];
  let cells = 0;
  pickSheet(workbook, options.sheet).eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(plainCell);
    cells += values.length;
    if (cells > CONTENT_LIMITS.excelReadCells)
      throw new RuntimeError(
        "limit_exceeded",
        `The sheet has more than ${CONTENT_LIMITS.excelReadCells} cells.`,
      );
    rows.push(values);
  });
  if (options.columns === false) return rows;
  const [header = [], ...body] = rows;
  const keys = header.map((name, index) =>
    name === null || name === "" ? `column${index + 1}` : String(name),
  );
  return body.map((values) => Object.fromEntries(keys.map((key, index) => [key, values[index] ?? null])));
}

function sheetName(name: string, index: number, used: Set<string>): string {
  const base =
    String(name ?? "")
      .replace(/[[\]:*?/\\]/g, " ")
      .trim()
      .slice(0, 31) || `Sheet${index + 1}`;
  let candidate = base;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 27)} (${n})`;
  used.add(candidate.toLowerCase());
  return candidate;
}

function cellValue(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

export async function writeExcel(sheets: { name: string; rows: unknown[] }[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "comind-runtime";
  const used = new Set<string>();
  sheets.forEach((sheet, index) => {
    const worksheet = workbook.addWorksheet(sheetName(sheet.name, index, used));
    const rows = Array.isArray(sheet.rows) ? sheet.rows : [];
    const objects =
      rows.length > 0 && rows.every((row) => row !== null && typeof row === "object" && !Array.isArray(row));
    if (objects) {
      const keys = [...new Set(rows.flatMap((row) => Object.keys(row as object)))];
      worksheet.addRow(keys).font = { bold: true };
      for (const row of rows)
        worksheet.addRow(keys.map((key) => cellValue((row as Record<string, unknown>)[key])));
    } else {
      for (const row of rows) worksheet.addRow((Array.isArray(row) ? row : [row]).map(cellValue));
    }
  });
  if (!sheets.length) workbook.addWorksheet("Sheet1");
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

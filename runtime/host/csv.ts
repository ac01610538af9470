/**
 * CSV through csv-parse / csv-stringify (quoting, embedded newlines, BOMs handled by the library).
 * Writing neutralises spreadsheet formulas by default (CSV injection, OWASP): a text cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel or
 * LibreOffice shows it as text instead of running `=HYPERLINK(...)`. Numbers stay numbers;
 * `{ escapeFormulas: false }` writes text as it is.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { CsvOptions } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";

const FORMULA_START = /^[=+\-@\t\r]/;

/** `'=1+2` for `=1+2`: what a spreadsheet shows as the text itself. */
export const neutraliseFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);

export function parseCsvText(text: string, options: CsvOptions = {}): unknown[] {
  try {
    return parse(text, {
      columns: options.columns ?? true,
      delimiter: options.delimiter ?? ",",
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw new RuntimeError("bad_request", `The CSV could not be parsed: ${(error as Error).message}`);
  }
}

export function writeCsvText(rows: unknown[], options: CsvOptions = {}): string {
  const objects =
    rows.length > 0 && rows.every((row) => row !== null && typeof row === "object" && !Array.isArray(row));
  const neutralise = options.escapeFormulas !== false;
  const keys = objects ? [...new Set(rows.flatMap((row) => Object.keys(row as object)))] : undefined;
  return stringify(rows as any[], {
    header: options.header ?? objects,
    delimiter: options.delimiter ?? ",",
    columns: keys?.map((key) => ({ key, header: neutralise ? neutraliseFormula(key) : key })),
    cast: neutralise ? { string: neutraliseFormula } : undefined,
  });
}

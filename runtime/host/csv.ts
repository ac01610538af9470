/** CSV through csv-parse / csv-stringify (quoting, embedded newlines, BOMs handled by the library). */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { CsvOptions } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";

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
  return stringify(rows as any[], {
    header: options.header ?? objects,
    delimiter: options.delimiter ?? ",",
    columns: objects ? [...new Set(rows.flatMap((row) => Object.keys(row as object)))] : undefined,
  });
}

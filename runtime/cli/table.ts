/**
 * The text form of a list command (`users list`, `token list`): a header row and columns padded
 * to their widest cell, so a reader sees which value is which. `--json` prints the rows instead.
 *
 * @example formatTable(["ID", "USER"], [["6f1c…", "alice"]]) // "ID     USER\n6f1c…  alice"
 */

const GAP = "  ";

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join(GAP)
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/**
 * A simple grid for `<table>` in writePdfFileRef: columns sized by their longest text, cells
 * wrapped and outlined, a row moved to the next page when it does not fit. (pdfkit's own table
 * measures every cell again and again and takes seconds per hundred rows with embedded fonts.)
 */
export interface TableCell {
  text: string;
  bold: boolean;
  colSpan: number;
}

const PADDING = 3;
/** Longest text that still widens a column (characters); longer cells wrap. */
const MAX_WEIGHT = 40;

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function columnWidths(rows: TableCell[][], width: number): number[] {
  const count = Math.max(...rows.map((row) => sum(row.map((cell) => cell.colSpan))));
  const weights = new Array<number>(count).fill(3);
  for (const row of rows) {
    let column = 0;
    for (const cell of row) {
      if (cell.colSpan === 1)
        weights[column] = Math.max(weights[column], Math.min(cell.text.length, MAX_WEIGHT));
      column += cell.colSpan;
    }
  }
  const total = sum(weights);
  return weights.map((weight) => (width * weight) / total);
}

export function drawTable(
  doc: PDFKit.PDFDocument,
  rows: TableCell[][],
  fonts: { regular: string; bold: string; size: number },
  left: number,
  width: number,
): void {
  const widths = columnWidths(rows, width);
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  for (const row of rows) {
    let column = 0;
    const cells = row.map((cell) => {
      const span = Math.min(cell.colSpan, widths.length - column);
      const placed = {
        cell,
        x: left + sum(widths.slice(0, column)),
        width: sum(widths.slice(column, column + span)),
      };
      column += span;
      return placed;
    });
    const heights = cells.map(({ cell, width: cellWidth }) => {
      doc.font(cell.bold ? fonts.bold : fonts.regular).fontSize(fonts.size);
      return doc.heightOfString(cell.text || " ", { width: cellWidth - 2 * PADDING });
    });
    const height = Math.max(...heights) + 2 * PADDING;
    if (doc.y + height > bottom() && doc.y > doc.page.margins.top) doc.addPage();
    const top = doc.y;
    for (const { cell, x, width: cellWidth } of cells) {
      doc.rect(x, top, cellWidth, height).lineWidth(0.5).strokeColor("#999999").stroke();
      doc
        .font(cell.bold ? fonts.bold : fonts.regular)
        .fontSize(fonts.size)
        .fillColor("black")
        .text(cell.text, x + PADDING, top + PADDING, { width: cellWidth - 2 * PADDING, lineBreak: true });
    }
    doc.x = left;
    doc.y = top + height;
  }
  doc.strokeColor("black");
}

/**
 * `Files.writePdfFileRef({ html })`: HTML to PDF in pure JavaScript (htmlparser2 + pdfkit, no
 * browser). The subset that renders: h1–h6, p, div and other blocks, br, hr, b/strong, i/em, u,
 * a (links), code/pre (monospace), ul/ol/li, blockquote, table/tr/th/td (colspan), the style
 * properties text-align, color, font-weight:bold, font-style:italic and page-break-before:always,
 * and data-URI PNG/JPEG images (checked by their header first: image-header.ts; one that cannot be
 * read fails the document). Other images, CSS files, fonts and scripts are ignored. Text is
 * set in the DejaVu fonts (embedded, subset), which cover Latin, Greek, Cyrillic and many symbols.
 */
import { parseDocument } from "htmlparser2";
import PDFDocument from "pdfkit";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import { checkImage } from "./image-header.ts";
import {
  type ChildNode,
  type Element,
  FONTS,
  fontOf,
  type InlineStyle,
  inlineStyle,
  isTag,
  isText,
  type Run,
  styleOf,
} from "./pdf-style.ts";
import { drawTable, type TableCell } from "./pdf-table.ts";

const PLAIN: InlineStyle = { bold: false, italic: false, underline: false, mono: false };
const HEADING_SIZES: Record<string, number> = { h1: 22, h2: 18, h3: 15, h4: 13, h5: 12, h6: 11 };
const BODY_SIZE = 11;
const SKIPPED = new Set(["head", "script", "style", "title", "svg", "iframe", "object", "noscript"]);
/** `<img src="data:image/png;base64,…">` (or jpeg): the only images drawn; nothing is fetched. */
const DATA_IMAGE = /^data:image\/(png|jpe?g);base64,([A-Za-z0-9+/=\s]+)$/i;
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "header",
  "footer",
  "main",
  "nav",
  "aside",
  "body",
  "html",
  "form",
  "fieldset",
  "figure",
  "figcaption",
  "address",
  "center",
  "dl",
  "dt",
  "dd",
  ...Object.keys(HEADING_SIZES),
  "ul",
  "ol",
  "li",
  "table",
  "pre",
  "blockquote",
  "hr",
]);

function textOf(node: ChildNode): string {
  if (isText(node)) return node.data;
  if (isTag(node)) return node.children.map(textOf).join("");
  return "";
}

function decode(text: string): string {
  return text.replace(/\u00a0/g, " ");
}

class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  private runs: Run[] = [];
  private align: "left" | "center" | "right" | "justify" = "left";
  private indent = 0;
  private size = BODY_SIZE;
  private preformatted = false;

  private readonly limits: ImageLimits;
  /** Bytes the PNGs pdfkit decodes may still unpack to in this document. */
  private decodeBudget: number;

  constructor(doc: PDFKit.PDFDocument, limits: ImageLimits) {
    this.doc = doc;
    this.limits = limits;
    this.decodeBudget = decodeBudget(limits);
  }

  /** Writes the runs collected so far as one paragraph. */
  flush(gapAfter = 0.4): void {
    const runs = this.runs.filter((run) => run.text !== "");
    this.runs = [];
    if (!this.preformatted) {
      if (runs.length) runs[0].text = runs[0].text.replace(/^\s+/, "");
      if (runs.length) runs[runs.length - 1].text = runs[runs.length - 1].text.replace(/\s+$/, "");
    }
    const printable = runs.filter((run) => run.text !== "");
    if (!printable.length) return;
    const x = this.doc.page.margins.left + this.indent;
    const width = this.doc.page.width - this.doc.page.margins.right - x;
    printable.forEach((run, index) => {
      this.doc
        .font(fontOf(run))
        .fontSize(this.size)
        .fillColor(run.color ?? "black");
      const options = {
        continued: index < printable.length - 1,
        underline: run.underline,
        link: run.link ?? null,
        align: this.align,
        width,
        lineBreak: true,
      };
      if (index === 0) this.doc.text(decode(run.text), x, this.doc.y, options);
      else this.doc.text(decode(run.text), options);
    });
    this.doc.fillColor("black").moveDown(gapAfter);
  }

  inline(nodes: ChildNode[], style: InlineStyle): void {
    for (const node of nodes) {
      if (isText(node)) {
        const text = this.preformatted ? node.data : node.data.replace(/\s+/g, " ");
        this.runs.push({ ...style, text });
      } else if (isTag(node)) this.element(node, style);
    }
  }

  element(element: Element, style: InlineStyle): void {
    const name = element.name;
    if (SKIPPED.has(name)) return;
    if (name === "img") {
      this.image(element);
      return;
    }
    if (name === "br") {
      this.runs.push({ ...style, text: "\n" });
      return;
    }
    if (!BLOCKS.has(name)) {
      this.inline(element.children, inlineStyle(element, style));
      return;
    }
    this.flush(0.2);
    const css = styleOf(element);
    if (css["page-break-before"] === "always" || css["break-before"] === "page") this.doc.addPage();
    const saved = { align: this.align, indent: this.indent, size: this.size, pre: this.preformatted };
    const align = css["text-align"] ?? element.attribs.align;
    if (align === "center" || align === "right" || align === "justify" || align === "left")
      this.align = align;
    if (name === "center") this.align = "center";
    try {
      this.block(element, inlineStyle(element, style));
    } finally {
      Object.assign(this, { align: saved.align, indent: saved.indent, size: saved.size });
      this.preformatted = saved.pre;
    }
  }

  private block(element: Element, style: InlineStyle): void {
    const name = element.name;
    if (HEADING_SIZES[name]) {
      this.size = HEADING_SIZES[name];
      this.inline(element.children, { ...style, bold: true });
      this.flush(0.5);
    } else if (name === "hr") {
      const y = this.doc.y + 4;
      const { left, right } = this.doc.page.margins;
      this.doc
        .moveTo(left, y)
        .lineTo(this.doc.page.width - right, y)
        .lineWidth(0.5)
        .stroke();
      this.doc.y = y + 8;
    } else if (name === "ul" || name === "ol") this.list(element, style, name === "ol");
    else if (name === "table") this.table(element);
    else if (name === "pre") {
      this.preformatted = true;
      this.size = BODY_SIZE - 1;
      this.inline(element.children, { ...style, mono: true });
      this.flush();
    } else if (name === "blockquote" || name === "dd") {
      this.indent += 20;
      this.inline(element.children, style);
      this.flush();
    } else {
      this.inline(element.children, style);
      this.flush();
    }
  }

  /**
   * Draws an inline data-URI image on its own line, scaled to its width attribute and the page.
   * The header is checked first (image-header.ts); PNGs pdfkit decodes share one budget per
   * document, because pdfkit decodes them all at once in the background.
   */
  private image(element: Element): void {
    const match = DATA_IMAGE.exec(String(element.attribs.src ?? "").trim());
    if (!match) return;
    const bytes = Buffer.from(match[2], "base64");
    const header = checkImage(bytes, this.limits.maxImagePixels);
    if (header.decoded) {
      this.decodeBudget -= header.unpackedBytes;
      if (this.decodeBudget < 0)
        throw new RuntimeError(
          "limit_exceeded",
          `Files.writePdfFileRef: the PNG images with transparency of one document may unpack to ${decodeBudget(this.limits)} bytes together; use smaller images, fewer of them, or JPEG.`,
        );
    }
    this.flush(0.2);
    const left = this.doc.page.margins.left + this.indent;
    const room = this.doc.page.width - this.doc.page.margins.right - left;
    const wanted = Number.parseFloat(element.attribs.width ?? "");
    const width = Math.min(Number.isFinite(wanted) && wanted > 0 ? wanted * 0.75 : room, room);
    let image: PDFKit.Mixins.ImageSrc & { width: number; height: number };
    try {
      // pdfkit's openImage (missing from @types/pdfkit) reads the image once; image() then reuses it.
      const opener = this.doc as unknown as { openImage(src: Buffer): typeof image };
      image = opener.openImage(bytes);
    } catch {
      image = { width: -1, height: -1 } as typeof image;
    }
    // pdfkit must see the size that was checked, or the check proved nothing.
    if (image.width !== header.width || image.height !== header.height)
      throw new RuntimeError(
        "bad_request",
        "Files.writePdfFileRef: an <img> data URI is not a readable PNG or JPEG image; fix or remove it.",
      );
    const height = (image.height * width) / image.width;
    if (this.doc.y + height > this.doc.page.height - this.doc.page.margins.bottom) this.doc.addPage();
    this.doc.image(image, left, this.doc.y, { width });
    this.doc.y += height + 6;
  }

  private list(element: Element, style: InlineStyle, ordered: boolean): void {
    let number = Number(element.attribs.start ?? 1) || 1;
    this.indent += 18;
    for (const item of element.children) {
      if (!isTag(item)) continue;
      if (item.name !== "li") {
        this.element(item, style);
        continue;
      }
      this.runs.push({ ...style, text: ordered ? `${number++}. ` : "\u2022 " });
      this.inline(item.children, inlineStyle(item, style));
      this.flush(0.15);
    }
  }

  private table(element: Element): void {
    const rows: Element[] = [];
    const collect = (node: Element) => {
      for (const child of node.children) {
        if (!isTag(child)) continue;
        if (child.name === "tr") rows.push(child);
        else if (["thead", "tbody", "tfoot"].includes(child.name)) collect(child);
      }
    };
    collect(element);
    const data: TableCell[][] = rows
      .map((row) =>
        row.children
          .filter((cell): cell is Element => isTag(cell) && (cell.name === "td" || cell.name === "th"))
          .map((cell) => ({
            text: decode(textOf(cell).replace(/\s+/g, " ").trim()),
            bold: cell.name === "th",
            colSpan: Math.min(Math.max(Number(cell.attribs.colspan) || 1, 1), 50),
          })),
      )
      .filter((row) => row.length > 0);
    if (!data.length) return;
    const left = this.doc.page.margins.left + this.indent;
    const width = this.doc.page.width - this.doc.page.margins.right - left;
    drawTable(this.doc, data, { regular: "Sans", bold: "Sans-Bold", size: BODY_SIZE - 1 }, left, width);
    this.doc.moveDown(0.5);
  }
}

/** The caps on images, from the DocumentPool's options. */
export interface ImageLimits {
  /** Width × height of one image. */
  maxImagePixels: number;
}

/**
 * What the PNGs pdfkit decodes (transparency, interlacing) of one document may unpack to together:
 * one RGBA image of the largest size. pdfkit decodes them all at the same time, in the background.
 */
const decodeBudget = (limits: ImageLimits) => limits.maxImagePixels * 4;

export interface PdfPageOptions {
  pageSize?: string;
  landscape?: boolean;
}

const PAGE_SIZES = new Set(["A3", "A4", "A5", "LETTER", "LEGAL"]);

/** Renders HTML to PDF bytes. */
export function htmlToPdf(
  html: string,
  options: PdfPageOptions = {},
  limits: ImageLimits = { maxImagePixels: CONTENT_LIMITS.imagePixels },
): Promise<Buffer> {
  const size = String(options.pageSize ?? "A4").toUpperCase();
  const doc = new PDFDocument({
    size: PAGE_SIZES.has(size) ? size : "A4",
    layout: options.landscape ? "landscape" : "portrait",
    margin: 50,
    info: { Producer: "comind-runtime", Creator: "comind-runtime" },
  });
  for (const [name, file] of Object.entries(FONTS)) doc.registerFont(name, file);
  doc.font("Sans");
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const writer = new PdfWriter(doc, limits);
  const root = parseDocument(String(html), { decodeEntities: true });
  writer.inline(root.children, PLAIN);
  writer.flush();
  doc.end();
  return done;
}

/**
 * The text drawn on a PDF's pages, for tests: content streams decoded with each font's ToUnicode
 * map (the PDFs here embed subset fonts, so the streams hold glyph ids, not characters).
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRawStream,
  type PDFRef,
} from "pdf-lib";

const streamText = (stream: PDFRawStream) =>
  Buffer.from(decodePDFRawStream(stream).decode()).toString("latin1");

function parseCmap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  const unicode = (hex: string) =>
    String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => Number.parseInt(h, 16)));
  for (const [, body] of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, start, , list] of body.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]/gi)) {
      let code = Number.parseInt(start, 16);
      for (const match of list.matchAll(/<([0-9a-f]+)>/gi)) map.set(code++, unicode(match[1]));
    }
  }
  for (const [, body] of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, code, value] of body.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi))
      map.set(Number.parseInt(code, 16), unicode(value));
  return map;
}

export async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const out: string[] = [];
  for (const page of doc.getPages()) {
    const maps = new Map<string, Map<number, string>>();
    const fonts = page.node.Resources()?.lookupMaybe(PDFName.of("Font"), PDFDict);
    for (const [name, ref] of fonts?.entries() ?? []) {
      const toUnicode = doc.context.lookup(ref as PDFRef, PDFDict).lookup(PDFName.of("ToUnicode"));
      if (toUnicode instanceof PDFRawStream) maps.set(name.asString(), parseCmap(streamText(toUnicode)));
    }
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
    let map = new Map<number, string>();
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      for (const [, font, hex] of streamText(stream).matchAll(/(\/[\w.-]+)\s+[\d.]+\s+Tf|<([0-9a-f]+)>/gi)) {
        if (font) map = maps.get(font) ?? new Map();
        else
          for (const glyph of hex.match(/.{4}/g) ?? []) out.push(map.get(Number.parseInt(glyph, 16)) ?? "");
      }
    }
  }
  return out.join("");
}

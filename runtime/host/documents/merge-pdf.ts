/** `Files.mergePdfFileRefs`: the pages of several PDFs, in order, in one document (pdf-lib). */
import { PDFDocument } from "pdf-lib";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";

export async function mergePdfs(files: { name: string; bytes: Uint8Array }[]): Promise<Buffer> {
  const merged = await PDFDocument.create();
  merged.setProducer("comind-runtime");
  for (const file of files) {
    let source: PDFDocument;
    try {
      source = await PDFDocument.load(file.bytes, { updateMetadata: false });
    } catch (error) {
      const encrypted = /encrypt/i.test(String((error as Error).message));
      throw new RuntimeError(
        "bad_request",
        `Files.mergePdfFileRefs: "${file.name}" ${encrypted ? "is encrypted" : "is not a readable PDF"}.`,
      );
    }
    if (merged.getPageCount() + source.getPageCount() > CONTENT_LIMITS.pdfPages)
      throw new RuntimeError(
        "limit_exceeded",
        `The merged PDF would have more than ${CONTENT_LIMITS.pdfPages} pages.`,
      );
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}

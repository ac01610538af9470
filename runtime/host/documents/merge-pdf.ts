/**
 * `Files.mergePdfFileRefs`: the pages of several PDFs, in order, in one document (pdf-lib). What
 * pdf-lib unpacks while loading is capped (pdf-stream-cap.ts); inputs are capped in size and
 * number by the host call, pages here.
 */
import { PDFDocument } from "pdf-lib";
import { isRuntimeError, RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import { capDecodedStreams, streamCapTrips } from "./pdf-stream-cap.ts";

capDecodedStreams();

export async function mergePdfs(files: { name: string; bytes: Uint8Array }[]): Promise<Buffer> {
  const merged = await PDFDocument.create();
  merged.setProducer("comind-runtime");
  for (const file of files) {
    let source: PDFDocument;
    const trips = streamCapTrips();
    const streamTooLarge = () =>
      new RuntimeError(
        "limit_exceeded",
        `Files.mergePdfFileRefs: "${file.name}" has a compressed stream that unpacks to more than ${CONTENT_LIMITS.pdfStreamBytes} bytes.`,
      );
    try {
      source = await PDFDocument.load(file.bytes, { updateMetadata: false });
    } catch (error) {
      if (streamCapTrips() > trips) throw streamTooLarge();
      if (isRuntimeError(error)) throw error;
      const encrypted = /encrypt/i.test(String((error as Error).message));
      throw new RuntimeError(
        "bad_request",
        `Files.mergePdfFileRefs: "${file.name}" ${encrypted ? "is encrypted" : "is not a readable PDF"}.`,
      );
    }
    if (streamCapTrips() > trips) throw streamTooLarge();
    if (merged.getPageCount() + source.getPageCount() > CONTENT_LIMITS.pdfPages)
      throw new RuntimeError(
        "limit_exceeded",
        `The merged PDF would have more than ${CONTENT_LIMITS.pdfPages} pages.`,
      );
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}

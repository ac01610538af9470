/**
 * Host halves of the document helpers of `Files`: xlsx, zip and PDF. Inputs are read through the
 * action's files (so temporary, persisted and stored references all work), the work runs in
 * worker threads (pool.ts), outputs are new temporary files; every size is capped
 * (content-limits.ts).
 */
import type { ExcelReadOptions, FileRef, PdfFromHtml } from "../../../globals/bridge-contract.ts";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import type { ActionFiles } from "../files.ts";
import type { DocumentPool, DocumentTask } from "./pool.ts";

export { DocumentPool } from "./pool.ts";
export {
  DOCUMENT_RANGES,
  documentPoolOptionsSchema,
  type DocumentPoolOptions,
} from "./options-schema.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function checkOutput(output: Uint8Array, caller: string): Buffer {
  const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  if (bytes.length > CONTENT_LIMITS.outputFileBytes)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.${caller} would write ${bytes.length} bytes; the limit is ${CONTENT_LIMITS.outputFileBytes}.`,
    );
  return bytes;
}

function withExtension(name: string | undefined, fallback: string, ext: string): string {
  const chosen = String(name ?? "").trim() || fallback;
  return chosen.toLowerCase().endsWith(ext) ? chosen : `${chosen}${ext}`;
}

/** Reads several inputs, within a count and a total size. */
async function readMany(files: ActionFiles, refs: string[], caller: string, maxTotal: number) {
  if (!Array.isArray(refs) || refs.length === 0)
    throw new RuntimeError("bad_request", `Files.${caller}: pass a non-empty array of file references.`);
  if (refs.length > CONTENT_LIMITS.filesPerCall)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.${caller} takes at most ${CONTENT_LIMITS.filesPerCall} files.`,
    );
  const inputs = [];
  let total = 0;
  for (const ref of refs) {
    const file = await files.readFile(String(ref));
    const bytes = await files.readBytes(
      String(ref),
      Math.min(CONTENT_LIMITS.inputFileBytes * 4, maxTotal - total),
    );
    total += bytes.length;
    inputs.push({ name: file.fileName, bytes });
  }
  return inputs;
}

/** Host calls of the document helpers; the work runs in `pool`'s threads and stops with `signal`. */
export function createDocumentCalls(files: ActionFiles, pool: DocumentPool, signal: AbortSignal) {
  const work = <T>(task: DocumentTask, arg: object) => pool.run<T>(task, arg, signal);
  return {
    "files.readExcel": async ({
      ref,
      options,
    }: {
      ref: string;
      options?: ExcelReadOptions;
    }): Promise<unknown[]> =>
      work("readWorkbook", { bytes: await files.readBytes(ref, CONTENT_LIMITS.inputFileBytes), options }),
    "files.writeExcel": async ({
      sheets,
      fileName,
    }: {
      sheets: { name: string; rows: unknown[] }[];
      fileName?: string;
    }): Promise<FileRef> => {
      const output = await work<Uint8Array>("buildWorkbook", { sheets: Array.isArray(sheets) ? sheets : [] });
      return files.writeTemp(
        checkOutput(output, "writeExcelFileRef"),
        withExtension(fileName, "export", ".xlsx"),
        XLSX,
      );
    },
    "files.zip": async ({ refs, fileName }: { refs: string[]; fileName?: string }): Promise<FileRef> => {
      const inputs = await readMany(files, refs, "zipFileRefs", CONTENT_LIMITS.zipInputBytes);
      const output = await work<Uint8Array>("zip", { files: inputs });
      return files.writeTemp(
        checkOutput(output, "zipFileRefs"),
        withExtension(fileName, "files", ".zip"),
        "application/zip",
      );
    },
    "files.writePdf": async ({ html, fileName, pageSize, landscape }: PdfFromHtml): Promise<FileRef> => {
      if (typeof html !== "string")
        throw new RuntimeError("bad_request", "Files.writePdfFileRef: pass { html: '<h1>…</h1>' }.");
      const output = await work<Uint8Array>("renderPdf", { html, options: { pageSize, landscape } });
      return files.writeTemp(
        checkOutput(output, "writePdfFileRef"),
        withExtension(fileName, "document", ".pdf"),
        "application/pdf",
      );
    },
    "files.mergePdf": async ({ refs, fileName }: { refs: string[]; fileName?: string }): Promise<FileRef> => {
      const inputs = await readMany(files, refs, "mergePdfFileRefs", CONTENT_LIMITS.outputFileBytes);
      const output = await work<Uint8Array>("mergePdf", { files: inputs });
      return files.writeTemp(
        checkOutput(output, "mergePdfFileRefs"),
        withExtension(fileName, "merged", ".pdf"),
        "application/pdf",
      );
    },
  };
}

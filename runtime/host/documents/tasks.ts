/**
 * The document work itself, run in a worker thread (pool.ts) so that rendering a large PDF or
 * workbook never stalls the server's event loop, and a runaway task can be stopped. Each export
 * is one task: plain data in, plain data out; errors come back as { error: { code, message } }.
 * Libraries load on first use, so a fresh thread pays only for the task it runs.
 */
import type { ExcelReadOptions } from "../../../globals/bridge-contract.ts";
import { reply } from "../thread-reply.ts";
import type { PdfPageOptions } from "./html-pdf.ts";
import type { DocumentLimits } from "./pool.ts";

type NamedBytes = { name: string; bytes: Uint8Array };
export type { TaskReply } from "../thread-reply.ts";

export const renderPdf = ({
  html,
  options,
  limits,
}: {
  html: string;
  options: PdfPageOptions;
  limits: DocumentLimits;
}) => reply(async () => (await import("./html-pdf.ts")).htmlToPdf(html, options, limits));
export const mergePdf = ({ files }: { files: NamedBytes[] }) =>
  reply(async () => (await import("./merge-pdf.ts")).mergePdfs(files));
export const buildWorkbook = ({ sheets }: { sheets: { name: string; rows: unknown[] }[] }) =>
  reply(async () => (await import("./excel.ts")).writeExcel(sheets));
export const readWorkbook = ({ bytes, options }: { bytes: Uint8Array; options?: ExcelReadOptions }) =>
  reply(async () =>
    (await import("./excel.ts")).readExcel(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      options,
    ),
  );
export const zip = ({ files }: { files: NamedBytes[] }) =>
  reply(async () => (await import("./zip.ts")).zipFiles(files));

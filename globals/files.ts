/**
 * `Files` inside the isolate. A file reference is `{ ref, fileName, contentType, size }`;
 * temporary references (downloads, base64, CSV) expire after the action unless persisted.
 *
 * @example
 *   const stored = Files.persistFileRef(res.downloadedFileRef.ref); // { uploadedFileId }
 */
import type { CsvOptions, FileRef } from "./bridge-contract.ts";
import { callAsync } from "./host-call.ts";

type FileRefLike = string | { ref: string };

function refOf(file: FileRefLike, caller: string): string {
  const ref = typeof file === "string" ? file : file?.ref;
  if (typeof ref !== "string" || ref === "")
    throw new TypeError(`Files.${caller}: pass a file reference or its .ref string.`);
  return ref;
}

export const Files = {
  /** Reference to a stored file, e.g. `entity.attachments__list[0].file_uid`. */
  getFileRef(fileUid: string): FileRef {
    if (typeof fileUid !== "string" || fileUid === "")
      throw new TypeError("Files.getFileRef: pass the file_uid of a stored file.");
    return callAsync("files.getRef", { fileUid });
  },
  /** Keeps a temporary file: it is stored when the action commits. */
  persistFileRef(file: FileRefLike): { uploadedFileId: string } {
    return callAsync("files.persist", { ref: refOf(file, "persistFileRef") });
  },
  readFileRefAsBase64(file: FileRefLike): string {
    return callAsync("files.readBase64", { ref: refOf(file, "readFileRefAsBase64") });
  },
  useBase64DataAsFileRef(data: string, fileName?: string, contentType?: string): FileRef {
    if (typeof data !== "string") throw new TypeError("Files.useBase64DataAsFileRef: pass base64 text.");
    return callAsync("files.fromBase64", { data, fileName, contentType });
  },
  /** Rows of a CSV file: objects keyed by the header row (or arrays with `{ columns: false }`). */
  readCsvFileRef(file: FileRefLike, options?: CsvOptions): any[] {
    return callAsync("files.readCsv", { ref: refOf(file, "readCsvFileRef"), options });
  },
  /** Writes rows (objects or arrays) to a temporary CSV file. */
  writeCsvFileRef(rows: unknown[], fileName?: string, options?: CsvOptions): FileRef {
    if (!Array.isArray(rows)) throw new TypeError("Files.writeCsvFileRef: pass an array of rows.");
    return callAsync("files.writeCsv", { rows, fileName, options });
  },
};

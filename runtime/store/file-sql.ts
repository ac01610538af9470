/** The `files` row of a file a commit stores, shared by both engines (their SQL differs only in placeholders). */
import type { FileWrite } from "./types.ts";

export const FILE_COLUMNS = "id, file_name, content_type, size, sha256, created_at, uploaded_by, number";

/** The row's values in FILE_COLUMNS order; `number` comes from the engine's attachment counter. */
export function fileRowValues(file: FileWrite, actor: string, now: string, number: number) {
  return [
    file.id,
    file.fileName,
    file.contentType,
    file.size,
    file.sha256,
    now,
    file.uploadedBy ?? actor,
    number,
  ];
}

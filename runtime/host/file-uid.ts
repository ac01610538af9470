/**
 * File ids as clients send them: the bare `file_uid`, or the tus upload URL it came from (the
 * `Location` of the upload, absolute or relative, possibly URL-encoded): anything that ends in
 * `/upload-tus/<uid>` means `<uid>`.
 *
 * @example fileUidOf("https://host/api/upload-tus/3f2a…") === "3f2a…"
 */
const UPLOAD_URL = /\/upload-tus\/([^/?#]+)\/?(?:[?#].*)?$/i;

export function fileUidOf(value: string): string {
  let text = String(value).trim();
  if (/%2f/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return value;
    }
  }
  return UPLOAD_URL.exec(text)?.[1] ?? value;
}

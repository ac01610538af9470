/**
 * The name and type a downloaded file is stored under: the Content-Disposition filename (RFC 6266,
 * filename* first; parsed by the content-disposition package), else the last segment of the URL
 * path. Only a base name survives, so `filename="../../etc/passwd"` names a file, never a place.
 */
import { parse as parseContentDisposition } from "content-disposition";

const FALLBACK_NAME = "download";

function baseName(name: string): string {
  const clean = (name.split(/[\\/]/).at(-1) ?? "")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200);
  return clean === "" || clean === "." || clean === ".." ? "" : clean;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The filename of a Content-Disposition header (filename* wins when it decodes), or "". */
function fromDisposition(disposition: string): string {
  try {
    return parseContentDisposition(disposition).parameters.filename ?? "";
  } catch {
    return ""; // not a Content-Disposition header: the URL names the file
  }
}

export function downloadFileName(headers: Record<string, string>, url: URL): string {
  const named = baseName(fromDisposition(headers["content-disposition"] ?? ""));
  if (named) return named;
  return baseName(decode(url.pathname.split("/").filter(Boolean).at(-1) ?? "")) || FALLBACK_NAME;
}

/** The media type without parameters ("text/csv; charset=utf-8" -> "text/csv"). */
export function downloadContentType(headers: Record<string, string>): string {
  return (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase() || "application/octet-stream";
}

/**
 * The name and type a downloaded file is stored under: the Content-Disposition filename (RFC 6266,
 * filename* first), else the last segment of the URL path. Only a base name survives, so a header
 * such as `filename="../../etc/passwd"` names a file, never a place.
 */

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

function fromDisposition(disposition: string): string {
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  if (extended) {
    const bytes = decode(extended[2].trim().replace(/^"|"$/g, ""));
    if (bytes) return bytes;
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(disposition);
  if (quoted) return quoted[1].replace(/\\(.)/g, "$1");
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(disposition);
  return token ? token[1] : "";
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

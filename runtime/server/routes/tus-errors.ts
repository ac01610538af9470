/**
 * @tus/server answers its errors with text bodies ("Upload-Offset header required\n"); our API
 * promises `{ "error": { "code", "message" } }` everywhere. Its one writer (`write`) is wrapped so
 * that every 4xx/5xx it sends is that JSON shape; success answers stay as the tus protocol has them.
 */
import type { Server as TusServer } from "@tus/server";
import type { ErrorCode } from "../../errors.ts";

type Write = (context: unknown, headers: Headers, status: number, body?: string) => unknown;

function codeFor(status: number): ErrorCode {
  if (status === 404) return "not_found";
  if (status === 413) return "payload_too_large";
  if (status === 409) return "conflict";
  if (status >= 500) return "internal_error";
  return "bad_request";
}

export function jsonTusErrors(tus: TusServer): void {
  const server = tus as unknown as { write: Write };
  const write = server.write.bind(tus);
  server.write = (context, headers, status, body = "") => {
    if (status < 400) return write(context, headers, status, body);
    // A 5xx text may carry a host error's message: never shown.
    const message =
      status >= 500
        ? "The upload failed on the server; retry it (tus resumes where it stopped)."
        : body.trim() || `Upload failed with HTTP ${status}.`;
    headers.set("Content-Type", "application/json; charset=utf-8");
    return write(context, headers, status, JSON.stringify({ error: { code: codeFor(status), message } }));
  };
}

/**
 * tus clients that send PATCH after PATCH without bytes make no progress and, with tus' 204
 * answers, never learn it (a new user's client looped 208,000 times in 10 minutes). After a few
 * PATCHes that left an upload's offset where it was, an empty PATCH is answered 400 with a JSON
 * error saying what to send; a PATCH with bytes always goes through and clears the count.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** No-progress PATCHes allowed per upload before empty ones are refused. */
export const MAX_STALLED_PATCHES = 3;
const TRACKED_UPLOADS = 10_000;

function uploadId(req: IncomingMessage): string | null {
  if (req.method !== "PATCH") return null;
  return /\/api\/upload-tus\/([^/?#]+)/.exec(req.url ?? "")?.[1] ?? null;
}

const carriesBytes = (req: IncomingMessage) =>
  Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;

/** Upload-Offset in writeHead's headers: an object, or a flat [name, value, ...] list (srvx). */
function offsetIn(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    const at = headers.findIndex((item, i) => i % 2 === 0 && String(item).toLowerCase() === "upload-offset");
    return at >= 0 ? headers[at + 1] : undefined;
  }
  if (!headers || typeof headers !== "object") return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === "upload-offset");
  return entry?.[1];
}

/** Calls `onHead(status, Upload-Offset)` when the response head is written (tus passes its headers to writeHead). */
function onResponseHead(res: ServerResponse, onHead: (status: number, offset: unknown) => void): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
    const offset =
      offsetIn(args.find((arg) => arg && typeof arg === "object")) ?? res.getHeader("upload-offset");
    onHead(Number(args[0]), offset);
    return writeHead(...args);
  };
}

export function createStallGuard() {
  const stalls = new Map<string, number>();
  const refuse = (res: ServerResponse) => {
    res.writeHead(400, { "content-type": "application/json", "tus-resumable": "1.0.0" });
    res.end(
      JSON.stringify({
        error: {
          code: "bad_request",
          message: `This upload made no progress in its last ${MAX_STALLED_PATCHES} PATCH requests: send the file's bytes from Upload-Offset (HEAD tells the offset) with Content-Type application/offset+octet-stream.`,
        },
      }),
    );
  };
  const count = (id: string, progressed: boolean) => {
    const stalled = (stalls.get(id) ?? 0) + 1;
    stalls.delete(id); // re-inserted below: the Map keeps insertion order, oldest first
    if (progressed) return;
    stalls.set(id, stalled);
    if (stalls.size > TRACKED_UPLOADS) stalls.delete(stalls.keys().next().value!);
  };
  /** Hands the request to tus (`handle`) unless it is one more empty PATCH of a stalled upload. */
  return async (req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> => {
    const id = uploadId(req);
    if (!id) return handle();
    if ((stalls.get(id) ?? 0) >= MAX_STALLED_PATCHES && !carriesBytes(req)) return refuse(res);
    const before = req.headers["upload-offset"];
    // Counted when the head is written: the client may send its next PATCH before handle() resolves.
    onResponseHead(res, (status, offset) => {
      if (status === 204 && before !== undefined) count(id, String(offset) !== String(before));
    });
    return handle();
  };
}

/**
 * multipart/form-data bodies for the flow.js upload route: read up to a byte cap (checked against
 * Content-Length first, then while reading), then parsed by Node's own fetch implementation
 * (`Response.formData()`), so no hand-written multipart parser is involved. The text fields
 * become the request body (validated by the route's schema); the first file part is kept beside
 * the request for the handler (`filePartOf`).
 */
import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { RuntimeError } from "../errors.ts";

const fileParts = new WeakMap<IncomingMessage, File>();

/** The file part of a multipart request parsed by `acceptMultipart`, if it had one. */
export function filePartOf(request: FastifyRequest): File | undefined {
  return fileParts.get(request.raw);
}

function tooLarge(cap: number): RuntimeError {
  return new RuntimeError(
    "payload_too_large",
    `A chunk may be at most ${Math.floor(cap / (1024 * 1024))} MB; send the file in smaller chunks (flow.js: chunkSize, forceChunkSize: true).`,
  );
}

async function readCapped(payload: AsyncIterable<Buffer>, declared: number, cap: number): Promise<Buffer> {
  if (declared > cap) throw tooLarge(cap);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of payload) {
    size += part.length;
    if (size > cap) throw tooLarge(cap);
    parts.push(part);
  }
  return Buffer.concat(parts, size);
}

/** Registers the multipart parser in `scope` (an encapsulated plugin: other routes stay JSON-only). */
export function acceptMultipart(scope: FastifyInstance, capBytes: number): void {
  scope.addContentTypeParser(
    "multipart/form-data",
    async (request: FastifyRequest, payload: IncomingMessage) => {
      const bytes = await readCapped(payload, Number(request.headers["content-length"] ?? 0), capBytes);
      const form = await new Response(bytes, {
        headers: { "content-type": String(request.headers["content-type"]) },
      })
        .formData()
        .catch(() => {
          throw new RuntimeError(
            "bad_request",
            "The multipart/form-data body could not be read; send the flow.js fields and the chunk as a file part.",
          );
        });
      const fields: Record<string, string> = {};
      for (const [name, value] of form) {
        if (typeof value === "string") fields[name] = value;
        else if (!fileParts.has(request.raw)) fileParts.set(request.raw, value);
      }
      return fields;
    },
  );
}

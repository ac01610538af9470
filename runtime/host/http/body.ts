/**
 * Response bodies with caps: counted as they stream (after decompression, so a gzip bomb stops
 * at the cap) and aborted as soon as they pass it.
 */
import { createWriteStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { httpError } from "./errors.ts";

function decoder(contentEncoding: string | undefined): Transform | null {
  switch ((contentEncoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      return null;
  }
}

function capper(limit: number, what: string): Transform & { bytes: () => number } {
  let bytes = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > limit) callback(httpError("limit_exceeded", `${what} is larger than the limit of ${limit} bytes.`));
      else callback(null, chunk);
    },
  });
  return Object.assign(transform, { bytes: () => bytes });
}

function stages(body: Readable, contentEncoding: string | undefined, limit: number, what: string) {
  const decode = decoder(contentEncoding);
  const cap = capper(limit, what);
  return { list: decode ? [body, decode, cap] : [body, cap], cap };
}

/** The whole body as text, at most `limit` bytes after decompression. */
export async function readCapped(body: Readable, contentEncoding: string | undefined, limit: number, what: string): Promise<string> {
  if (!decoder(contentEncoding)) return readPlain(body, limit, what);
  const { list } = stages(body, contentEncoding, limit, what);
  const chunks: Buffer[] = [];
  await pipeline(...(list as [Readable, Transform]), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks).toString("utf8");
}

/** The common case, an unencoded body, without stream plumbing (the hot path of executeRequest). */
async function readPlain(body: Readable, limit: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      body.destroy();
      throw httpError("limit_exceeded", `${what} is larger than the limit of ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8");
}

/** Streams the body to `path`; returns its size. */
export async function saveCapped(body: Readable, contentEncoding: string | undefined, limit: number, path: string, what: string): Promise<number> {
  const { list, cap } = stages(body, contentEncoding, limit, what);
  await pipeline(...(list as [Readable, Transform]), createWriteStream(path));
  return cap.bytes();
}

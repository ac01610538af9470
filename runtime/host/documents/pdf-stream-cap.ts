/**
 * A cap on what pdf-lib decompresses while it loads a PDF. `PDFDocument.load` inflates every
 * object stream (/Type /ObjStm) in memory, with no limit: a few KB of FlateDecode (or LZW) can
 * claim gigabytes. Every pdf-lib decoder grows its output through `DecodeStream.ensureBuffer`, so
 * that one method is wrapped: past `CONTENT_LIMITS.pdfStreamBytes` it throws. pdf-lib may catch
 * the throw and go on (it keeps the object as unreadable), so the trip is also counted, and the
 * caller checks `tripped()` after loading. Installed once per thread, by merge-pdf.ts.
 */
import { createRequire } from "node:module";
import { CONTENT_LIMITS } from "../content-limits.ts";

interface DecodeStreamClass {
  prototype: { ensureBuffer(requested: number): Uint8Array };
}

let trips = 0;
let installed = false;

class StreamTooLarge extends Error {}

export function capDecodedStreams(): void {
  if (installed) return;
  installed = true;
  // Not exported by pdf-lib's index; the same module instance its parser uses (pdf-lib is CJS).
  const { default: DecodeStream } = createRequire(import.meta.url)(
    "pdf-lib/cjs/core/streams/DecodeStream.js",
  ) as { default: DecodeStreamClass };
  const original = DecodeStream.prototype.ensureBuffer;
  DecodeStream.prototype.ensureBuffer = function ensureBuffer(requested: number) {
    if (requested > CONTENT_LIMITS.pdfStreamBytes) {
      trips++;
      throw new StreamTooLarge("A compressed PDF stream unpacks past the limit.");
    }
    return original.call(this, requested);
  };
}

/** How many times the cap refused a stream so far (compare before and after a load). */
export const streamCapTrips = (): number => trips;

/**
 * How many bytes compressed data unpacks to, found by inflating it in small pieces and keeping
 * nothing: the guard against decompression bombs whose headers lie about their size. Memory stays
 * at a few MB whatever the data (one 8 KB piece inflates to at most ~8 MB, DEFLATE's ratio being
 * ~1032:1), and the count stops at `limit` instead of running to the end.
 */
import { Inflate, Unzlib } from "fflate";

const PIECE = 8 * 1024;

/** Thrown (and caught below) to stop inflating once the count passes the limit. */
class OverLimit extends Error {}

/**
 * The unpacked size of `data` (a zlib stream, or raw DEFLATE as in zip entries), or `Infinity`
 * once it passes `limit`. `onPiece` sees each unpacked piece (to scan it). Throws on data that is
 * not a valid stream.
 */
export function inflatedSize(
  data: Uint8Array,
  format: "zlib" | "raw",
  limit: number,
  onPiece?: (piece: Uint8Array) => void,
): number {
  let total = 0;
  const onData = (chunk: Uint8Array) => {
    onPiece?.(chunk);
    total += chunk.length;
    if (total > limit) throw new OverLimit();
  };
  const stream = format === "zlib" ? new Unzlib(onData) : new Inflate(onData);
  try {
    if (data.length === 0) stream.push(data, true);
    for (let at = 0; at < data.length; at += PIECE)
      stream.push(data.subarray(at, at + PIECE), at + PIECE >= data.length);
  } catch (error) {
    if (error instanceof OverLimit) return Number.POSITIVE_INFINITY;
    throw error;
  }
  return total;
}

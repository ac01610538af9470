/**
 * What an image is, read from its header alone (no pixel is decoded): format, width, height and,
 * for PNG, how many bytes its pixels unpack to and whether pdfkit will have to decode them. The
 * PDF renderer checks these against its caps before handing the image to pdfkit, so a small file
 * that claims 12,000 × 12,000 pixels is refused instead of unpacked (decompression bombs).
 * Formats: PNG and JPEG, the two `writePdfFileRef` draws.
 */
import { RuntimeError } from "../../errors.ts";
import { inflatedSize } from "./inflate-count.ts";

export interface ImageHeader {
  format: "png" | "jpeg";
  width: number;
  height: number;
  /** PNG: bytes the image data unpacks to (pixel rows with their filter bytes). 0 for JPEG. */
  unpackedBytes: number;
  /** PNG with an alpha channel, a transparent palette or interlacing: pdfkit decodes its pixels. */
  decoded: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel by PNG colour type, and the bit depths each type allows. */
const PNG_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];
/** The start-of-frame markers pdfkit reads a JPEG's size from (the same list, so both agree). */
const JPEG_SOF = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
]);

const u32 = (bytes: Uint8Array, at: number) =>
  bytes[at] * 0x1000000 + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
const u16 = (bytes: Uint8Array, at: number) => (bytes[at] << 8) + bytes[at + 1];

/** Bytes of a PNG's unpacked image data: each row of each pass is a filter byte plus its samples. */
function pngUnpackedBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!interlaced) return rows(width, height);
  return ADAM7.reduce(
    (sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)),
    0,
  );
}

function pngHeader(bytes: Uint8Array): ImageHeader | null {
  if (bytes.length < 33 || PNG_SIGNATURE.some((byte, index) => bytes[index] !== byte)) return null;
  if (u32(bytes, 8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return null;
  const [width, height] = [u32(bytes, 16), u32(bytes, 20)];
  const [depth, colorType, , , interlace] = bytes.subarray(24, 29);
  const type = PNG_TYPES[colorType];
  if (!width || !height || !type?.depths.includes(depth) || interlace > 1) return null;
  let transparentPalette = false;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const kind = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (kind === "tRNS" && colorType === 3) transparentPalette = true;
    if (kind === "IEND") break;
    at += 12 + u32(bytes, at);
  }
  return {
    format: "png",
    width,
    height,
    unpackedBytes: pngUnpackedBytes(width, height, type.channels * depth, interlace === 1),
    decoded: colorType === 4 || colorType === 6 || interlace === 1 || transparentPalette,
  };
}

function jpegHeader(bytes: Uint8Array): ImageHeader | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // image data or the end before any frame
    if (JPEG_SOF.has(marker)) {
      if (at + 9 > bytes.length) return null;
      const [height, width] = [u16(bytes, at + 5), u16(bytes, at + 7)];
      return width && height ? { format: "jpeg", width, height, unpackedBytes: 0, decoded: false } : null;
    }
    at += 2 + u16(bytes, at + 2);
  }
  return null;
}

/** The header of a PNG or JPEG, or null for anything else (or a header that makes no sense). */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  return pngHeader(bytes) ?? jpegHeader(bytes);
}

/** The concatenated IDAT chunks of a PNG: the zlib stream pdfkit (png-js) would inflate. */
function pngImageData(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = u32(bytes, at);
    const kind = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (kind === "IDAT") parts.push(bytes.subarray(at + 8, at + 8 + length));
    if (kind === "IEND") break;
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/**
 * Refuses an image pdfkit should not open: not a PNG or JPEG, more pixels than `maxPixels`, or a
 * PNG whose compressed data unpacks to more than its header says (a bomb that lies in its header).
 */
export function checkImage(bytes: Uint8Array, maxPixels: number): ImageHeader {
  const header = readImageHeader(bytes);
  if (!header)
    throw new RuntimeError(
      "bad_request",
      "Files.writePdfFileRef: an <img> data URI is not a readable PNG or JPEG image; fix or remove it.",
    );
  const pixels = header.width * header.height;
  if (pixels > maxPixels)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.writePdfFileRef: an image is ${header.width} × ${header.height} pixels; the limit is ${maxPixels} pixels per image. Scale it down before printing.`,
    );
  if (header.format === "png") {
    let unpacked: number;
    try {
      unpacked = inflatedSize(pngImageData(bytes), "zlib", header.unpackedBytes);
    } catch {
      unpacked = Number.NaN;
    }
    if (!(unpacked <= header.unpackedBytes))
      throw new RuntimeError(
        "bad_request",
        "Files.writePdfFileRef: an <img> PNG's image data is damaged or larger than its header says; fix or remove it.",
      );
  }
  return header;
}

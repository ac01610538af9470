/**
 * Decompression bombs for the document tests, built in memory without ever holding their unpacked
 * size: a zlib stream of N zero bytes is made by repeating one flushed DEFLATE piece.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

const MB = 1024 * 1024;

/** Raw DEFLATE of `size` zero bytes (~1 KB per MB), byte-aligned pieces, the last one final. */
export function deflatedZeros(size: number): Buffer {
  const piece = deflateRawSync(Buffer.alloc(MB), { finishFlush: constants.Z_SYNC_FLUSH });
  const whole = Math.floor(size / MB);
  const tail = deflateRawSync(Buffer.alloc(size - whole * MB));
  return Buffer.concat([...Array.from({ length: whole }, () => piece), tail]);
}

/** The same as a zlib stream (header, DEFLATE, Adler-32 of the zeros). */
export function zlibZeros(size: number): Buffer {
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((size % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0x9c]), deflatedZeros(size), adler]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/**
 * A PNG of `width` × `height`, 8-bit, colour type 6 (RGBA: pdfkit decodes its pixels) unless
 * `colorType` says otherwise; its image data is `unpacked` zero bytes (by default exactly what
 * the header implies: each row a filter byte and 4 bytes a pixel).
 */
export function png(
  width: number,
  height: number,
  unpacked = height * (1 + width * 4),
  colorType = 6,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlibZeros(unpacked)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The start of a baseline JPEG (SOI, an APP0 segment, SOF0) claiming `width` × `height`. */
export function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

export const dataUri = (bytes: Buffer, type = "png") =>
  `data:image/${type};base64,${bytes.toString("base64")}`;

/** One entry of `zipArchive`: its stored bytes, method (8 = DEFLATE) and the size it declares. */
export interface RawEntry {
  name: string;
  data: Buffer;
  method?: number;
  declaredSize: number;
}

/**
 * The fields a local header and its central directory entry share, in the same order from `at`
 * (version needed, flags, method, time, date, CRC, stored size, unpacked size, name length).
 */
function writeEntryFields(header: Buffer, at: number, entry: RawEntry, nameLength: number): void {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(entry.method ?? 8, at + 4);
  header.writeUInt32LE(entry.data.length, at + 14);
  header.writeUInt32LE(entry.declaredSize, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}

/** A zip written by hand, so that entries can lie about their unpacked size. */
export function zipArchive(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry, name.length);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    writeEntryFields(central, 6, entry, name.length);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A one-page PDF with an object stream (/Type /ObjStm) whose FlateDecode data unpacks to `unpacked` bytes. */
export function pdfWithObjectStream(unpacked: number): Buffer {
  const data = zlibZeros(unpacked);
  const parts = [
    "%PDF-1.7\n",
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n",
    `4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${data.length} >> stream\n`,
  ];
  const tail = "\nendstream endobj\ntrailer << /Root 1 0 R /Size 5 >>\n%%EOF\n";
  return Buffer.concat([Buffer.from(parts.join(""), "latin1"), data, Buffer.from(tail, "latin1")]);
}

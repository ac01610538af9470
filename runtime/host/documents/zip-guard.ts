/**
 * The guard in front of every zip-based input (.xlsx): before a library unpacks the archive, its
 * central directory (what JSZip, inside exceljs, reads too) is walked: at most `zipEntries`
 * entries, declared sizes within `zipInputBytes` together, and then every entry is really
 * inflated, piece by piece and kept nowhere (inflate-count.ts), so an entry that unpacks to more
 * than it declares, or entries that share one compressed kernel (overlapping zip bombs), are
 * refused without the memory of unpacking them. Worksheet XML is counted for cells on the way.
 */
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import { inflatedSize } from "./inflate-count.ts";

export interface ZipSummary {
  entries: number;
  unpackedBytes: number;
  /** `<c>` elements in xl/worksheets/*.xml: the cells exceljs would build. */
  worksheetCells: number;
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;
/** A cell element, with or without a namespace prefix: <c r="A1">, <x:c>, <c/>. */
const CELL = /<(?:[A-Za-z_][\w.-]*:)?c[\s>/]/g;

class NotAZip extends Error {}

function centralDirectory(bytes: Buffer): Entry[] {
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--)
    if (bytes.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  if (end < 0) throw new NotAZip();
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  // ZIP64 archives (sizes or counts saturated) are far larger than any input allowed here.
  if (count === 0xffff || at === 0xffffffff) throw new NotAZip();
  if (count > CONTENT_LIMITS.zipEntries) return Array.from({ length: count }) as Entry[];
  const entries: Entry[] = [];
  for (let index = 0; index < count; index++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) throw new NotAZip();
    const nameLength = bytes.readUInt16LE(at + 28);
    entries.push({
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      offset: bytes.readUInt32LE(at + 42),
      name: bytes.toString("utf8", at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return entries;
}

/** The compressed bytes of an entry, found through its local header as unzippers do. */
function entryData(bytes: Buffer, entry: Entry): Buffer {
  const at = entry.offset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL) throw new NotAZip();
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  if (start + entry.compressedSize > bytes.length || entry.compressedSize === 0xffffffff) throw new NotAZip();
  return bytes.subarray(start, start + entry.compressedSize);
}

/** Cells in one worksheet's XML, counted across inflated pieces (a tag may span two). */
function cellCounter() {
  let carry = "";
  let cells = 0;
  return {
    add(piece: Uint8Array) {
      const text = carry + Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString("latin1");
      for (const match of text.matchAll(CELL)) if (match.index + match[0].length > carry.length) cells++;
      carry = text.slice(-64);
    },
    get cells() {
      return cells;
    },
  };
}

/**
 * Walks and inflates the archive as described above; throws `bad_request` for what is not a zip
 * (or not the `kind` the caller reads), `limit_exceeded` past a cap.
 */
export function assertUnpackedSize(bytes: Buffer, caller: string, kind = "a zip-based document"): ZipSummary {
  const notKind = () => new RuntimeError("bad_request", `Files.${caller}: the file is not ${kind}.`);
  const tooLarge = (total: string) =>
    new RuntimeError(
      "limit_exceeded",
      `Files.${caller}: the document unpacks to ${total} bytes; the limit is ${CONTENT_LIMITS.zipInputBytes}.`,
    );
  let entries: Entry[];
  try {
    entries = centralDirectory(bytes);
  } catch {
    throw notKind();
  }
  if (entries.length > CONTENT_LIMITS.zipEntries)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.${caller}: the archive has ${entries.length} entries; the limit is ${CONTENT_LIMITS.zipEntries}.`,
    );
  const declared = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > CONTENT_LIMITS.zipInputBytes) throw tooLarge(String(declared));
  let total = 0;
  let worksheetCells = 0;
  for (const entry of entries) {
    let data: Buffer;
    try {
      data = entryData(bytes, entry);
    } catch {
      throw notKind();
    }
    let size: number;
    const counter = WORKSHEET.test(entry.name) ? cellCounter() : null;
    if (entry.method === 0) {
      size = data.length;
      counter?.add(data);
    } else if (entry.method === 8) {
      try {
        size = inflatedSize(data, "raw", entry.size, counter ? (piece) => counter.add(piece) : undefined);
      } catch {
        throw notKind();
      }
    } else throw notKind();
    // An entry may not unpack to more than it declares: the declared sizes were what was checked.
    if (size > entry.size) throw tooLarge(`more than ${declared}`);
    total += size;
    worksheetCells += counter?.cells ?? 0;
  }
  if (worksheetCells > CONTENT_LIMITS.excelReadCells)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.${caller}: the workbook has ${worksheetCells} cells; the limit is ${CONTENT_LIMITS.excelReadCells}.`,
    );
  return { entries: entries.length, unpackedBytes: total, worksheetCells };
}

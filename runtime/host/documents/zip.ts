/** `Files.zipFileRefs` (fflate) and the unpacked-size guard for zip-based inputs such as .xlsx. */
import { unzipSync, zipSync } from "fflate";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";

/** Refuses an archive whose entries would unpack to more than the zip input limit (zip bombs). */
export function assertUnpackedSize(bytes: Buffer, caller: string, kind = "a zip-based document"): void {
  let total = 0;
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        total += entry.originalSize;
        return false;
      },
    });
  } catch {
    throw new RuntimeError("bad_request", `Files.${caller}: the file is not ${kind}.`);
  }
  if (total > CONTENT_LIMITS.zipInputBytes)
    throw new RuntimeError(
      "limit_exceeded",
      `Files.${caller}: the document unpacks to ${total} bytes; the limit is ${CONTENT_LIMITS.zipInputBytes}.`,
    );
}

/** One entry name per file: "a.pdf", "a (2).pdf", ... */
export function uniqueNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let candidate = name;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

export function zipFiles(files: { name: string; bytes: Uint8Array }[]): Buffer {
  const names = uniqueNames(files.map((file) => file.name));
  const entries = Object.fromEntries(files.map((file, index) => [names[index], file.bytes]));
  return Buffer.from(zipSync(entries, { level: 6 }));
}

/** `Files.zipFileRefs` (fflate); the guard for zip-based inputs is zip-guard.ts. */
import { zipSync } from "fflate";

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

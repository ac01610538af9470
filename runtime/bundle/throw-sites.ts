/**
 * Marks every `throw` statement of a logic bundle so that a thrown string or plain object, which
 * has no stack in JavaScript, is still reported with the TypeScript line it was thrown from:
 * `throw X` becomes `throw __comindThrowSite(), X`, which records the stack at the throw and then
 * throws X unchanged (a comma expression: app code that catches it sees the same value). The
 * runner reports the last recorded stack for a thrown non-Error (globals/throw-site.ts).
 *
 * A throw statement is found without a parser: esbuild maps each statement of its output to the
 * statement's first token in the source, so a mapping whose source text starts with the keyword
 * `throw` (not a `.throw` member) and whose output text is `throw ` is one. Text in strings and
 * templates never matches both. Only the output line's text after the keyword shifts, by the
 * inserted call; line numbers, and so every stack's TypeScript line, stay as they were.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { eachMapping } from "@jridgewell/trace-mapping";
import { inlineSourceMap } from "./inline-map.ts";

/** The per-action global the marks call (globals/platform-globals.ts). */
export const THROW_SITE_GLOBAL = "__comindThrowSite";
const KEYWORD_IN_SOURCE = /^throw(?![\w$])/;
const KEYWORD_IN_OUTPUT = /^\s*throw\s/;

export function markThrowSites(code: string, workingDir: string): string {
  const map = inlineSourceMap(code);
  if (!map) return code;
  const lines = code.split("\n");
  const sources = new Map<string, string[] | null>();
  const sourceLines = (source: string): string[] | null => {
    if (!sources.has(source)) {
      try {
        sources.set(source, readFileSync(resolve(workingDir, source), "utf8").split("\n"));
      } catch {
        sources.set(source, null); // not on disk (e.g. the build's stdin entry): not marked
      }
    }
    return sources.get(source)!;
  };
  const marks = new Map<number, Set<number>>(); // output line index -> columns after "throw "
  eachMapping(map, (mapping) => {
    if (mapping.source === null || mapping.originalLine === null) return;
    const original = sourceLines(mapping.source)?.[mapping.originalLine - 1];
    if (!original) return;
    const at = mapping.originalColumn;
    if (!KEYWORD_IN_SOURCE.test(original.slice(at)) || /[\w$.]$/.test(original.slice(0, at))) return;
    const output = KEYWORD_IN_OUTPUT.exec(lines[mapping.generatedLine - 1].slice(mapping.generatedColumn));
    if (!output) return;
    const line = mapping.generatedLine - 1;
    if (!marks.has(line)) marks.set(line, new Set());
    marks.get(line)!.add(mapping.generatedColumn + output[0].length);
  });
  for (const [line, columns] of marks) {
    let text = lines[line];
    // Right to left, so each insertion leaves the columns still to come where they were.
    for (const column of [...columns].sort((a, b) => b - a))
      text = `${text.slice(0, column)}${THROW_SITE_GLOBAL}(), ${text.slice(column)}`;
    lines[line] = text;
  }
  return lines.join("\n");
}

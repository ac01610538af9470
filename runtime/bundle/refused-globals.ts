/**
 * The build refuses action logic that uses a global the sandbox does not have (`fetch`,
 * `setTimeout`, `Buffer`, `process.argv`, ...), naming file:line, instead of letting the action
 * fail at run time. The names are handed in (sandbox/realm-globals.ts derives them from the real
 * action realm). esbuild finds the uses: a second bundle of the logic defines each name as a
 * marker identifier, which esbuild substitutes only where the name is a free global (never for a
 * local variable, a parameter or a property), and the marker's place in the output is mapped back
 * through the source map. Not refused: `typeof name` (feature checks), and code of npm packages
 * (node_modules), which may carry such branches for other platforms and fails only if it runs.
 */
import { originalPositionFor } from "@jridgewell/trace-mapping";
import { NOT_AVAILABLE } from "../../globals/not-available.ts";
import { RuntimeError } from "../errors.ts";
import { inlineSourceMap } from "./inline-map.ts";

const MARKER = "__comindRefusedGlobal_";
const MARKED = new RegExp(`${MARKER}([A-Za-z_$][\\w$]*)`, "g");
const MAX_SHOWN = 5;

/** What to do instead, for the globals people reach for most. */
const INSTEAD: Record<string, string> = {
  setTimeout: "logic is synchronous, wait with ComindServer.sleep(ms)",
  setInterval: "logic is synchronous, wait with ComindServer.sleep(ms)",
  setImmediate: "logic is synchronous, wait with ComindServer.sleep(ms)",
  queueMicrotask: "logic is synchronous, call the function directly",
  process: "only process.env.COMIND_SECRET_* does (the names settings/secrets.ts declares)",
  Buffer: "read and make file bytes with Files.readFileRefAsBase64 / Files.useBase64DataAsFileRef",
};

export interface RefusedUse {
  name: string;
  /** The app's source file as esbuild names it (relative to the app folder), 1-based line and column. */
  file: string;
  line: number;
  column: number;
}

/** esbuild `define` entries that turn each free use of a name into a findable marker. */
export function refusedGlobalDefines(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `${MARKER}${name}`]));
}

/** The refused uses in a bundle built with `refusedGlobalDefines`, in source order. */
export function findRefusedUses(code: string): RefusedUse[] {
  const map = inlineSourceMap(code);
  if (!map) return [];
  const uses: RefusedUse[] = [];
  const seen = new Set<string>();
  code.split("\n").forEach((text, index) => {
    for (const match of text.matchAll(MARKED)) {
      if (/\btypeof\s*\(?\s*$/.test(text.slice(0, match.index))) continue;
      const at = originalPositionFor(map, { line: index + 1, column: match.index });
      if (!at.source || at.line == null || /(^|\/)node_modules\/|(^|\/)globals\/shims\//.test(at.source))
        continue;
      const use = { name: match[1], file: at.source, line: at.line, column: (at.column ?? 0) + 1 };
      const key = `${use.file}:${use.line}:${use.name}`;
      if (!seen.has(key)) uses.push(use);
      seen.add(key);
    }
  });
  return uses;
}

function advice(name: string): string {
  const stub = NOT_AVAILABLE[name];
  if (stub) return `${stub.call} is not available in action logic: use ${stub.instead}.`;
  const instead = INSTEAD[name];
  return instead
    ? `${name} does not exist in action logic: ${instead}.`
    : `${name} does not exist in action logic (only JavaScript's built-ins and the platform globals do).`;
}

/** build_error naming each use, as esbuild's own errors do (file:line:column: message). */
export function refusedGlobalsError(uses: RefusedUse[]): RuntimeError {
  const lines = uses
    .slice(0, MAX_SHOWN)
    .map((use) => `${use.file}:${use.line}:${use.column}: ${advice(use.name)}`);
  if (uses.length > MAX_SHOWN) lines.push(`... and ${uses.length - MAX_SHOWN} more.`);
  return new RuntimeError("build_error", lines.join("\n"));
}

/**
 * Turns an isolate stack into the app's TypeScript lines via the bundle's inline source map.
 * Frames of the runtime's own globals and of the host are dropped: users see their code only.
 */
import { originalPositionFor, type TraceMap } from "@jridgewell/trace-mapping";
import { inlineSourceMap } from "../bundle/index.ts";
import { LOGIC_FILENAME } from "./isolate-pool.ts";

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

export function sourceMapOf(code: string): TraceMap | null {
  return inlineSourceMap(code);
}

function mapFrame(line: string, map: TraceMap | null, lineOffset: number): string | null {
  const frame = FRAME.exec(line);
  if (!frame) return null;
  const [, fn, file, lineNo, column] = frame;
  const appLine = Number(lineNo) - lineOffset;
  if (file !== LOGIC_FILENAME || !map || appLine < 1) return null;
  const original = originalPositionFor(map, { line: appLine, column: Number(column) - 1 });
  if (!original.source || original.line == null) return null;
  if (original.source.includes("globals/shims") || original.source.includes("node_modules")) return null;
  const where = `${original.source}:${original.line}:${(original.column ?? 0) + 1}`;
  const name = original.name ?? (fn && !fn.startsWith("Object.") && fn !== "Proxy" ? fn : null);
  return name ? `    at ${name} (${where})` : `    at ${where}`;
}

/** "Error: boom\n    at sync (actions/logic/index.ts:12:5)" — or just the first line if no app frame. */
export function mapStack(
  stack: string | undefined,
  headline: string,
  map: TraceMap | null,
  lineOffset: number,
): string {
  if (!stack) return headline;
  const frames = stack
    .split("\n")
    .slice(1)
    .map((line) => mapFrame(line, map, lineOffset))
    .filter((line): line is string => line !== null);
  return [headline, ...frames].join("\n");
}

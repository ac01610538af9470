/**
 * The readable block of a build error: where (file:line:column, 1-based as editors count) and
 * what, then the source line with a caret under the spot, e.g.
 *
 *   actions/logic/index.ts:3:16: Expected identifier but found "="
 *     3 │   go() { const = ; }
 *       │                ^
 */
import type { Message } from "esbuild";

/** Characters of a long (minified) source line shown around the spot. */
const AROUND = 60;

function sourceLines(location: NonNullable<Message["location"]>): string[] {
  const { line, lineText } = location;
  let { column } = location;
  let text = lineText;
  if (text.length > AROUND * 2) {
    const start = Math.max(0, column - AROUND);
    text = `${start ? "…" : ""}${text.slice(start, column + AROUND)}${column + AROUND < lineText.length ? "…" : ""}`;
    column = column - start + (start ? 1 : 0);
  }
  const gutter = String(line);
  // Tabs stay tabs under the code, so the caret lines up in any terminal.
  const under = text.slice(0, column).replace(/[^\t]/g, " ");
  const caret = "^".repeat(Math.max(1, Math.min(location.length, text.length - column)));
  return [`  ${gutter} │ ${text}`, `  ${" ".repeat(gutter.length)} │ ${under}${caret}`];
}

/** One block per message; a message without a location is its text alone. */
export function codeFrame(messages: Message[]): string {
  return messages
    .map((message) => {
      const where = message.location;
      if (!where) return message.text;
      const head = `${where.file}:${where.line}:${where.column + 1}: ${message.text}`;
      return [head, ...(where.lineText ? sourceLines(where) : [])].join("\n");
    })
    .join("\n");
}

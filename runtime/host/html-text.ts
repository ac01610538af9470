/**
 * `ComindServer.htmlToText` / `Utils.htmlToText` and the text part of notification e-mails:
 * html-to-text with an input cap. Some markup is slow far beyond its size (nested lists: 18 KB
 * took 2 s), so this runs in a host thread under the action's deadline (cpu/pool.ts), never on
 * an event loop.
 */
import { convert } from "html-to-text";
import { RuntimeError } from "../errors.ts";
import { CONTENT_LIMITS } from "./content-limits.ts";

/** `wordwrap`: line width, or false for none (the logic's calls). */
export function htmlToText(html: string, wordwrap: number | false = false): string {
  const text = String(html);
  if (text.length > CONTENT_LIMITS.htmlToTextChars)
    throw new RuntimeError(
      "limit_exceeded",
      `htmlToText takes at most ${CONTENT_LIMITS.htmlToTextChars} characters of HTML; this was ${text.length}.`,
    );
  try {
    return convert(text, { wordwrap });
  } catch (error) {
    // html-to-text recurses per nesting level: markup nested thousands deep overflows the stack.
    if (error instanceof RangeError)
      throw new RuntimeError("limit_exceeded", "htmlToText: the HTML is nested too deeply to convert.");
    throw error;
  }
}

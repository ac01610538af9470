/**
 * The server's log for a person at a terminal: one readable line per entry instead of pino's JSON
 * lines, e.g. `12:04:05.120 INFO  request GET /api/common → 200 (3.1 ms)`, with multi-line values
 * (a build error's code frame, a stack) as an indented block under their line. Written as each
 * entry comes (a terminal is fast, and the lines must be on screen before a crash). Colours only
 * where the terminal has them (tty hasColors: NO_COLOR, FORCE_COLOR, TERM).
 *
 * @example
 *   const log = createPrettyServerLog("info"); // same shape as createServerLog
 *   log.logger.info({ app: "CONTACT" }, "app rebuilt"); // 12:04:05.120 INFO  app rebuilt  app=CONTACT
 */
import { logContext } from "../run-context.ts";
import { styleText } from "node:util";
import pino, { type Logger } from "pino";

type Colour = "gray" | "green" | "yellow" | "red" | "magenta";
type Entry = Record<string, unknown>;

/** pino's numeric levels. */
const LEVELS: Record<number, [string, Colour]> = {
  10: ["TRACE", "gray"],
  20: ["DEBUG", "gray"],
  30: ["INFO", "green"],
  40: ["WARN", "yellow"],
  50: ["ERROR", "red"],
  60: ["FATAL", "magenta"],
};

/** Fields every entry has that say nothing to a person at the terminal. */
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname", "reqId"]);

export interface PrettyOut {
  write(text: string): unknown;
  /** tty.WriteStream's: whether this terminal shows colours. */
  hasColors?(): boolean;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function clock(time: unknown): string {
  const date = new Date(typeof time === "number" ? time : Date.now());
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function inline(value: unknown): string {
  if (Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null))
    return value.join(",");
  if (typeof value === "string") return /[\s"]/.test(value) || value === "" ? JSON.stringify(value) : value;
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

const indent = (text: string) =>
  text
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");

/** `GET /api/x → 200 (3.1 ms)` for fastify's request lines (runtime/server/request-log.ts). */
function requestText(entry: Entry): string | undefined {
  if (typeof entry.method !== "string" || typeof entry.url !== "string") return undefined;
  const ms = typeof entry.ms === "number" ? ` (${entry.ms} ms)` : "";
  return `${entry.method} ${entry.url} → ${entry.statusCode ?? "?"}${ms}`;
}

/**
 * One entry as text: `time LEVEL message  key=value...`, then blocks. An `error` of the registry
 * shape is `code: message`; with a `frame` (a build error's code frame) the frame is the block.
 */
export function prettyEntry(entry: Entry, colour: (c: Colour, text: string) => string = (_, t) => t): string {
  const [label, hue] = LEVELS[entry.level as number] ?? ["LOG", "gray"];
  const request = requestText(entry);
  const skip = new Set(request ? ["method", "url", "statusCode", "ms"] : []);
  const pairs: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || skip.has(key) || value === undefined) continue;
    const error = value as { code?: unknown; message?: unknown; stack?: unknown; type?: unknown };
    if (key === "err" && typeof value === "object" && value !== null)
      blocks.push(String(error.stack ?? `${error.type ?? "Error"}: ${error.message}`));
    else if (key === "error" && typeof error?.code === "string" && typeof error.message === "string") {
      if (typeof entry.frame === "string") pairs.push(`error=${error.code}`);
      else blocks.push(`${error.code}: ${error.message}`);
    } else if (typeof value === "string" && value.includes("\n")) blocks.push(value);
    else pairs.push(`${key}=${inline(value)}`);
  }
  const message = [String(entry.msg ?? ""), request].filter(Boolean).join(" ");
  const head = `${colour("gray", clock(entry.time))} ${colour(hue, label.padEnd(5))} ${message}`;
  return [pairs.length ? `${head}  ${colour("gray", pairs.join(" "))}` : head, ...blocks.map(indent)].join(
    "\n",
  );
}

/** One pino line (JSON) as text; a line that is not JSON is passed on as it is. */
export function prettyLine(line: string, colour?: (c: Colour, text: string) => string): string {
  try {
    return prettyEntry(JSON.parse(line) as Entry, colour);
  } catch {
    return line.replace(/\n$/, "");
  }
}

/** A logger like createServerLog's, printing readable lines on `out` (default: stdout). */
export function createPrettyServerLog(
  level: string,
  out: PrettyOut = process.stdout,
): { logger: Logger; flush(): void } {
  // A terminal's own answer (NO_COLOR, FORCE_COLOR, TERM), as Node's styleText would decide.
  const colour = out.hasColors?.()
    ? (hue: Colour, text: string) => styleText(hue, text, { validateStream: false })
    : undefined;
  const stream = { write: (line: string) => out.write(`${prettyLine(line, colour)}\n`) };
  return { logger: pino({ level, mixin: logContext }, stream), flush: () => undefined };
}

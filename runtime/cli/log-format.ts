/**
 * How `serve` and `dev` print their log: readable lines for a person at a terminal, pino JSON lines
 * for a pipe or file (log collectors, `| jq`), and `--log-format` / COMIND_LOG_FORMAT to force one.
 *
 * @example
 *   const log = openServerLog(chooseLogFormat(process.stdout.isTTY, flags.logFormat), "info");
 */
import { Option } from "commander";
import { createPrettyServerLog, createServerLog } from "../server/index.ts";
import { UsageError } from "./output.ts";

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The flag (or its variable) wins; else pretty on a terminal, JSON anywhere else. */
export function chooseLogFormat(isTTY: boolean | undefined, flag?: LogFormat): LogFormat {
  return flag ?? (isTTY ? "pretty" : "json");
}

export function logFormatOption(): Option {
  return new Option(
    "--log-format <json|pretty>",
    "log as JSON lines or readable lines (default: readable on a terminal, JSON when piped)",
  )
    .env("COMIND_LOG_FORMAT")
    .argParser((text: string): LogFormat => {
      const format = text.trim().toLowerCase();
      if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
      throw new UsageError(
        `--log-format (COMIND_LOG_FORMAT) must be json or pretty, got ${JSON.stringify(text.slice(0, 40))}.`,
      );
    });
}

/** The server log in that format, on stdout. */
export function openServerLog(format: LogFormat, level: string) {
  return format === "pretty" ? createPrettyServerLog(level) : createServerLog(level);
}

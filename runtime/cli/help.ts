/**
 * The part of every command's `--help` after the options: the environment variables it reads,
 * its exit codes and an example. Variables of options (`new Option(...).env("X")`) are listed
 * from the command itself, so the list cannot drift from the options.
 */
import type { Command } from "commander";

export interface HelpExtras {
  /** Variables read besides those of the options, e.g. COMIND_SECRET_*. */
  env?: Record<string, string>;
  exitCodes?: Record<number, string>;
  examples: string[];
}

const DEFAULT_EXIT_CODES = { 0: "success", 1: "the command failed", 2: "bad usage (one line on stderr)" };

function section(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return `\n${title}:\n${rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n")}\n`;
}

export function helpExtras(command: Command, extras: HelpExtras): string {
  const fromOptions: [string, string][] = command.options
    .filter((option) => option.envVar)
    .map((option) => [option.envVar!, `${option.long} (${option.description})`]);
  const env = [...fromOptions, ...Object.entries(extras.env ?? {})];
  const codes = Object.entries(extras.exitCodes ?? DEFAULT_EXIT_CODES);
  return (
    (env.length ? section("Environment", env) : "\nEnvironment: none\n") +
    section(
      "Exit codes",
      codes.map(([code, meaning]) => [code, meaning]),
    ) +
    `\nExample${extras.examples.length > 1 ? "s" : ""}:\n${extras.examples.map((line) => `  $ ${line}`).join("\n")}\n`
  );
}

/** Adds the Environment / Exit codes / Example sections to the command's --help. */
export function withHelp(command: Command, extras: HelpExtras): Command {
  return command.addHelpText("after", () => helpExtras(command, extras));
}

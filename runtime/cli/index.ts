/**
 * The `comind-runtime` command line. Bad usage prints one line on stderr and exits 2; no stack
 * traces reach the user.
 *
 * @example
 *   npx comind-runtime run apps/app-crm-contact sync_contacts --env .env --allow-host 127.0.0.1 --json
 */
import { Command, CommanderError } from "commander";
import { isRuntimeError } from "../errors.ts";
import { EXIT, UsageError, writeErr } from "./output.ts";
import { registerRun } from "./run.ts";
import { registerReplay } from "./replay.ts";
import { registerStoreCommands } from "./store-commands.ts";
import { registerCheck } from "./check.ts";
import { registerServe } from "./serve.ts";
import { registerToken } from "./token.ts";
import { registerInit } from "./init.ts";
import { registerSecrets } from "./secrets.ts";
import { registerMock } from "./mock.ts";
import { withHelp } from "./help.ts";
import { ownPackageJson } from "../paths.ts";
import { registerDirectory } from "./directory.ts";

export function buildProgram(): Command {
  const program = new Command("comind-runtime")
    .description("Run Comind.work-style action logic in isolated-vm sandboxes")
    .version(ownPackageJson().version);
  registerRun(program);
  registerReplay(program);
  registerCheck(program);
  registerStoreCommands(program);
  registerServe(program);
  registerToken(program);
  registerInit(program);
  registerSecrets(program);
  registerDirectory(program);
  registerMock(program);
  withHelp(program, {
    env: { "COMIND_SECRET_*": "secret values for apps (run, serve, dev, secrets; also read from ./.env)" },
    examples: ["npx comind-runtime run apps/app-crm-contact sync_contacts --env .env --json"],
  });
  // Errors are printed by main() as one line; help (also the help shown when a command is missing) is printed.
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ outputError: () => undefined });
    command.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return; // --help, --version
      if (error.code === "commander.help") {
        // no command (or `token` with no subcommand): the help was printed on stderr
        process.exitCode = EXIT.usage;
        return;
      }
      await writeErr(error.message.replace(/^error: /, "comind-runtime: "));
      process.exitCode = EXIT.usage;
      return;
    }
    if (error instanceof UsageError) {
      await writeErr(`comind-runtime: ${error.message}`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (isRuntimeError(error)) {
      await writeErr(`comind-runtime: ${error.code}: ${error.message}`);
      process.exitCode = EXIT.failed;
      return;
    }
    await writeErr(`comind-runtime: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    process.exitCode = EXIT.failed;
  }
}

import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram } from "../../runtime/cli/index.ts";
import { runCli } from "../helpers/cli.ts";

/** Every command and subcommand except commander's own `help`. */
function allCommands(command: Command, path: string[] = []): [string, Command][] {
  return command.commands
    .filter((sub) => sub.name() !== "help")
    .flatMap((sub) => {
      const name = [...path, sub.name()];
      return [[name.join(" "), sub] as [string, Command], ...allCommands(sub, name)];
    });
}

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

const commands = allCommands(buildProgram());

describe("--help of every command", () => {
  it("covers every command", () => {
    expect(commands.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "run",
        "check",
        "records",
        "history",
        "runs",
        "serve",
        "dev",
        "token",
        "token create",
        "token list",
        "token revoke",
        "init",
        "secrets",
        "mock",
        "mock crm",
      ]),
    );
  });

  it.each(commands)("%s lists environment variables, exit codes and an example", (_name, command) => {
    const help = helpOf(command);
    expect(help).toMatch(/\nEnvironment(:\n {2}\S| *: none)/);
    expect(help).toMatch(/\nExit codes:\n {2}\d {2}\S/);
    expect(help).toMatch(/\nExamples?:\n {2}\$ npx comind-runtime /);
    for (const option of command.options.filter((o) => o.envVar))
      expect(help).toMatch(new RegExp(`\\n {2}${option.envVar} +${option.long}`));
  });

  it("serve and dev have no --json (they print logs, not one document)", () => {
    for (const [name, command] of commands.filter(([name]) => name === "serve" || name === "dev")) {
      expect(
        command.options.map((o) => o.long),
        name,
      ).not.toContain("--json");
      expect(helpOf(command)).toContain("COMIND_ALLOW_HOSTS");
    }
  });
});

describe("a missing command prints the help, not (outputHelp)", () => {
  it("no command at all: the help on stderr, exit 2", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: comind-runtime [options] [command]");
    expect(result.stderr).toContain("Exit codes:");
    expect(result.stdout + result.stderr).not.toContain("(outputHelp)");
  });

  it("token with no subcommand: the token help, exit 2", async () => {
    const result = await runCli(["token"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: comind-runtime token");
    expect(result.stderr).toMatch(/create[\s\S]*list[\s\S]*revoke/);
    expect(result.stdout + result.stderr).not.toContain("(outputHelp)");
  });

  it("--help itself exits 0 on stdout", async () => {
    const result = await runCli(["records", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Exit codes:");
  });
});

/**
 * `comind-runtime secrets <app-dir> [--env FILE]`: which COMIND_SECRET_* names an app declares and
 * whether each is set — never the values. Reads ./.env like `run` when there is no --env.
 */
import type { Command } from "commander";
import { loadApp } from "../actions/index.ts";
import { loadSecretSource } from "../host/index.ts";
import { DEFAULT_LIMITS } from "../sandbox/index.ts";
import { withHelp } from "./help.ts";
import { EXIT, writeErr, writeJson, writeOut } from "./output.ts";
import { resolveEnvFile } from "./env-file.ts";

export function registerSecrets(program: Command): void {
  const command = program
    .command("secrets")
    .description("list the secrets an app declares and whether they are set (values are never shown)")
    .argument("<app-dir>", "app folder")
    .option("--env <file>", "dotenv file with COMIND_SECRET_* values (default: ./.env when there is one)")
    .option("--json", "machine-readable output");
  withHelp(command, {
    env: { "COMIND_SECRET_*": "secret values (also from ./.env or --env FILE; the environment wins)" },
    exitCodes: { 0: "every declared secret is set", 1: "at least one is missing", 2: "bad usage" },
    examples: [
      "npx comind-runtime secrets apps/app-crm-contact",
      "npx comind-runtime secrets apps/app-crm-contact --env prod.env",
    ],
  });
  command.action(async (appDir: string, flags: { env?: string; json?: boolean }) => {
    // The names settings/secrets.ts really reads, recorded while it runs in the manifest isolate.
    const envFile = resolveEnvFile(flags.env);
    const app = await loadApp(appDir, DEFAULT_LIMITS.memoryMb);
    const names = app.manifest.secretNames;
    // A file named with --env is what the user asked for; the one found by itself is announced.
    if (envFile.note && !flags.env) await writeErr(envFile.note);
    const source = loadSecretSource(envFile.path);
    const secrets = names.map((name) => ({
      name,
      set: typeof source[name] === "string" && source[name] !== "",
    }));
    if (flags.json) await writeJson({ app: app.alias, secrets });
    else
      await writeOut(
        secrets.length
          ? secrets.map((s) => `${s.set ? "✔" : "✖"} ${s.name}${s.set ? "" : " (not set)"}`).join("\n")
          : `App ${app.alias} declares no secrets.`,
      );
    process.exitCode = secrets.every((s) => s.set) ? EXIT.ok : EXIT.failed;
  });
}

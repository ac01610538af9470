/**
 * `comind-runtime init <dir> --alias ALIAS`: a new app in the vendor's layout, ready to run,
 * type-check and test. `init <dir> --workspace`: an app developer's own repository that depends
 * on the comind-runtime package, with one app, a vitest test using `comind-runtime/testing`, and
 * `npm test` / `npm start`.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { FROM_BUILD, GLOBALS_DIR, ownPackageJson } from "../paths.ts";
import { withHelp } from "./help.ts";
import { UsageError, writeJson, writeOut } from "./output.ts";
import { dependencySpec, type RuntimeSource, runtimeSource, tolerated } from "./runtime-source.ts";
import { writeTemplate } from "./scaffold.ts";

/** The app-tsconfig base: the package's export when installed, a relative path inside a clone. */
function tsconfigBase(appDir: string, inRepository: boolean): string {
  if (inRepository || FROM_BUILD) return "comind-runtime/app-tsconfig.json";
  return relative(appDir, join(GLOBALS_DIR, "app-tsconfig.json"));
}

function appValues(appDir: string, alias: string, inRepository: boolean): Record<string, string> {
  return {
    NAME: basename(appDir),
    ALIAS: alias,
    TITLE: alias[0] + alias.slice(1).toLowerCase(),
    SECRET: `COMIND_SECRET_${alias}_`,
    TSCONFIG_BASE: tsconfigBase(appDir, inRepository),
  };
}

function checkAlias(raw: string): string {
  const alias = raw.toUpperCase();
  if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(alias))
    throw new UsageError(`--alias "${raw}" must be letters, digits or _ and start with a letter.`);
  return alias;
}

/** A git repository or the tarball comind-runtime came from may be there already (`init .`). */
function checkEmpty(dir: string, target: string, allowed: Set<string>): void {
  if (existsSync(target) && readdirSync(target).some((name) => !allowed.has(name)))
    throw new UsageError(`"${dir}" exists and is not empty; pick a new folder.`);
}

function initWorkspace(target: string, alias: string, source: RuntimeSource): string[] {
  const appFolder = `app-${alias.toLowerCase().replace(/_/g, "-")}`;
  const own = ownPackageJson();
  const written = writeTemplate("workspace", target, {
    NAME: basename(target),
    RUNTIME: dependencySpec(source, target, own.version),
    // The runtime's optional sandbox, required here: npm on a Node older than 22 skips optional
    // isolated-vm, but installs a required one (its build then runs on the pinned Node below).
    ISOLATED_VM: own.optionalDependencies?.["isolated-vm"] ?? "^6.2.0",
    APP_FOLDER: appFolder,
    SECRET: `COMIND_SECRET_${alias}_`,
    // The Node the app's npm scripts and npx run on, whatever Node the machine has (as in a clone).
    NODE: own.devDependencies?.node ?? "^24",
    TYPESCRIPT: own.devDependencies?.typescript ?? "*",
    VITEST: own.devDependencies?.vitest ?? "*",
  });
  const appDir = join(target, "apps", appFolder);
  const appFiles = writeTemplate("app", appDir, appValues(appDir, alias, true));
  return [...written, ...appFiles.map((path) => join("apps", appFolder, path))];
}

/** The commands that install the new repository and run its test, from where `init` ran. */
function nextSteps(source: RuntimeSource, dir: string, target: string): string {
  const steps = [];
  if (source.kind === "clone") {
    const clone = relative(process.cwd(), source.path);
    steps.push(clone ? `npm run build --prefix ${clone}` : "npm run build");
  }
  if (target !== process.cwd()) steps.push(`cd ${dir}`);
  steps.push("npm install", "npm test");
  return steps.join(" && ");
}

export function registerInit(program: Command): void {
  const command = program
    .command("init")
    .description("create a new app in the vendor's layout, or with --workspace an app repository")
    .argument("<dir>", "folder to create (must not exist or be empty)")
    .option(
      "--alias <ALIAS>",
      "publishingAlias of the app, upper-case (e.g. INVOICE); HELLO with --workspace",
    )
    .option("--workspace", "create an app developer's repository (package.json, apps/, tests) instead")
    .option("--json", "machine-readable output");
  withHelp(command, {
    exitCodes: { 0: "created", 2: "bad usage: the folder is not empty, or a bad --alias" },
    examples: [
      "npx comind-runtime init my-apps --workspace && cd my-apps && npm install && npm test",
      "npx comind-runtime init apps/app-invoice --alias INVOICE",
    ],
  });
  command.action(async (dir: string, flags: { alias?: string; workspace?: boolean; json?: boolean }) => {
    if (!flags.workspace && !flags.alias)
      throw new UsageError("Name the app with --alias ALIAS, or create a repository with --workspace.");
    const alias = checkAlias(flags.alias ?? "HELLO");
    const target = resolve(dir);
    const source = runtimeSource();
    checkEmpty(dir, target, flags.workspace ? tolerated(source, target) : new Set());
    const files = flags.workspace
      ? initWorkspace(target, alias, source)
      : writeTemplate("app", target, appValues(target, alias, false));
    if (!flags.workspace) {
      if (flags.json) await writeJson({ ok: true, dir: target, alias, files });
      else await writeOut(`Created app ${alias} in ${dir}\nTry: npx comind-runtime run ${dir} touch`);
      return;
    }
    const runtime = dependencySpec(source, target, ownPackageJson().version);
    const next = nextSteps(source, dir, target);
    if (flags.json) await writeJson({ ok: true, dir: target, alias, files, runtime, next });
    else
      await writeOut(
        [
          `Created app repository ${dir} with app ${alias} (comind-runtime: "${runtime}")`,
          ...(source.kind === "clone"
            ? [
                "It links to this clone and imports its build (dist/): build it again after you change the clone.",
              ]
            : []),
          `Next: ${next}`,
        ].join("\n"),
      );
  });
}

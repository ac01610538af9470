/**
 * `comind-runtime check <app-dir>...`: bundles each app and reads its manifest, the same steps
 * `run` and `serve` take, and reports the first problem of each app: also `async` action logic
 * (refused at run time) and two apps with one publishingAlias. Exit 1 if any app fails.
 * A plugin folder is recognised as `serve` recognises it (bundle's pluginOnlyName): it is no app
 * of its own, so it is checked as a layer of the checked apps that use it.
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { loadApp } from "../actions/index.ts";
import { pluginOnlyName } from "../bundle/index.ts";
import { type PublicError, publicError, RuntimeError } from "../errors.ts";
import { asyncLogicFunctions, DEFAULT_LIMITS } from "../sandbox/index.ts";
import { withHelp } from "./help.ts";
import { EXIT, writeJson, writeOut } from "./output.ts";
import { createProgress } from "./progress.ts";

interface AppReport {
  dir: string;
  ok: boolean;
  alias?: string;
  fields?: number;
  actions?: string[];
  secrets?: string[];
  /** A plugin folder: its package name, and the checked apps it is a layer of. */
  plugin?: string;
  usedBy?: string[];
  error?: PublicError;
  /** Absolute folders of the app's plugins and parents (not printed). */
  layers?: string[];
}

async function checkApp(dir: string): Promise<AppReport> {
  const plugin = pluginOnlyName(dir);
  if (plugin) return { dir, ok: true, plugin, usedBy: [] };
  try {
    const app = await loadApp(dir, DEFAULT_LIMITS.memoryMb);
    const asyncNames = await asyncLogicFunctions(app.build.logicCode);
    if (asyncNames.length)
      throw new RuntimeError(
        "app_invalid",
        `App ${app.alias}: ${asyncNames.join(", ")} ${asyncNames.length === 1 ? "is" : "are"} async; action logic must be synchronous (remove async/await: RestApi, Files and ComindServer calls already wait).`,
      );
    return {
      dir,
      ok: true,
      alias: app.alias,
      fields: app.manifest.fields.length,
      actions: app.manifest.actions.map((a) => a.uid),
      secrets: app.manifest.secretNames,
      layers: app.build.layers,
    };
  } catch (error) {
    return { dir, ok: false, error: publicError(error) };
  }
}

/** Two folders with one publishingAlias cannot be installed together: both fail. */
function failDuplicateAliases(reports: AppReport[]): void {
  for (const report of reports) {
    const others = reports.filter((other) => other !== report && other.alias && other.alias === report.alias);
    if (!others.length) continue;
    report.ok = false;
    report.error = {
      code: "app_invalid",
      message: `publishingAlias ${report.alias} is also used by ${others.map((o) => `"${o.dir}"`).join(", ")}; every app needs its own alias.`,
    };
  }
}

/** A plugin's code is bundled into every app that uses it: those apps' checks are its check. */
function linkPlugins(reports: AppReport[]): void {
  for (const plugin of reports.filter((r) => r.plugin))
    plugin.usedBy = reports.filter((r) => r.layers?.includes(resolve(plugin.dir))).map((r) => r.dir);
}

function line(report: AppReport): string {
  if (report.plugin)
    return `✔ ${report.dir}: plugin ${report.plugin}, ${
      report.usedBy!.length
        ? `checked as part of ${report.usedBy!.join(", ")}`
        : "not used by the apps checked here (check an app that lists it in its dependencies)"
    }`;
  if (!report.ok) return `✖ ${report.dir}: ${report.error!.code}: ${report.error!.message}`;
  const secrets = report.secrets!.length ? `, secrets ${report.secrets!.join(", ")}` : "";
  return `✔ ${report.dir}: ${report.alias}, ${report.fields} fields, actions ${report.actions!.join(", ") || "(none)"}${secrets}`;
}

export function registerCheck(program: Command): void {
  const command = program
    .command("check")
    .description("bundle apps and validate their fields, actions and imports")
    .argument("<app-dir...>", "app folders")
    .option("--json", "machine-readable output");
  withHelp(command, {
    exitCodes: { 0: "every app is valid", 1: "at least one app is not (each is reported)", 2: "bad usage" },
    examples: ["npx comind-runtime check apps/*"],
  });
  command.action(async (dirs: string[], flags: { json?: boolean }) => {
    const progress = createProgress(process.stdout, flags);
    const reports: AppReport[] = [];
    for (const dir of dirs) {
      progress.update(`checking ${reports.length + 1}/${dirs.length}: ${dir}`);
      reports.push(await checkApp(dir));
    }
    progress.done();
    failDuplicateAliases(reports);
    linkPlugins(reports);
    const ok = reports.every((r) => r.ok);
    if (flags.json) await writeJson({ ok, apps: reports.map(({ layers: _layers, ...shown }) => shown) });
    else await writeOut(reports.map(line).join("\n"));
    process.exitCode = ok ? EXIT.ok : EXIT.failed;
  });
}

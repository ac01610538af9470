/**
 * The layers an app is composed of, in the documented order: plugins (package.json dependencies
 * named `@comind/plugin-*`, `@comind/block-*` or `@comind/app-*`, each after its own plugins),
 * then the parent app (`comindApp.inheritFrom`, with its own layers first), then the app itself.
 * (`@comind/base` is this runtime: the base fields and actions every app has.)
 *
 * A layer package is found in the apps folder (a sibling folder whose package.json `name` is the
 * dependency, or whose folder name is the part after `@comind/`) or else in node_modules.
 *
 * @example resolveLayers("apps/app-helpdesk") // ["apps/plugin-sla", "apps/app-ticket", "apps/app-helpdesk"]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";

export const PLUGIN_PACKAGE = /^@comind\/(plugin|block|app)-[a-z0-9._-]+$/;
const MAX_LAYERS = 32;

export interface LayerPackage {
  dir: string;
  name: string;
  /** Plugin package names among its dependencies, in declaration order. */
  plugins: string[];
  inheritFrom: string | null;
  dependencies: string[];
  dependsOn: string[];
}

function readLayer(dir: string): LayerPackage {
  let pkg: any;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch (error) {
    throw new RuntimeError(
      "app_invalid",
      `${basename(dir)}/package.json cannot be read: ${(error as Error).message}`,
    );
  }
  const dependencies = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const app = pkg.comindApp ?? {};
  return {
    dir,
    name: String(pkg.name ?? basename(dir)),
    plugins: dependencies.filter((name) => PLUGIN_PACKAGE.test(name)),
    inheritFrom: typeof app.inheritFrom === "string" && app.inheritFrom ? app.inheritFrom : null,
    dependencies,
    dependsOn: Array.isArray(app.dependsOn) ? app.dependsOn.map((a: unknown) => appAliasKey(String(a))) : [],
  };
}

/**
 * The package name of a plugin or block folder (no publishingAlias: a layer of other apps, not
 * served itself), or null for anything else. THE rule: `serve`, `dev` and `check` all ask here.
 */
export function pluginOnlyName(dir: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const name = String(pkg.name ?? "");
    return PLUGIN_PACKAGE.test(name) && !pkg.comindApp?.publishingAlias ? name : null;
  } catch {
    return null;
  }
}

/** A plugin or block package without a publishingAlias (see pluginOnlyName). */
export function isPluginOnly(dir: string): boolean {
  return pluginOnlyName(dir) !== null;
}

function packageNameOf(dir: string): string | null {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name ?? null;
  } catch {
    return null;
  }
}

/** A layer package by name: a sibling folder of the app (the apps folder) or node_modules. */
function findLayer(name: string, fromDir: string): string {
  const appsDir = dirname(fromDir);
  const short = name.replace(/^@comind\//, "");
  for (const entry of readdirSync(appsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(appsDir, entry.name);
    if (!existsSync(join(dir, "package.json"))) continue;
    if (packageNameOf(dir) === name || entry.name === short || entry.name === name) return dir;
  }
  try {
    return dirname(createRequire(join(fromDir, "package.json")).resolve(`${name}/package.json`));
  } catch {
    throw new RuntimeError(
      "app_invalid",
      `${basename(fromDir)} uses "${name}", which is neither in the apps folder nor in node_modules; add it or remove the dependency.`,
    );
  }
}

/** Every layer of the app, base first and the app itself last. */
export function resolveLayers(appDir: string): LayerPackage[] {
  const ordered: LayerPackage[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  function visit(dir: string, chain: string[]): void {
    const key = resolve(dir);
    if (done.has(key)) return;
    if (visiting.has(key))
      throw new RuntimeError(
        "app_invalid",
        `Apps inherit from each other in a cycle: ${[...chain, basename(dir)].join(" -> ")}.`,
      );
    visiting.add(key);
    const layer = readLayer(key);
    const here = [...chain, basename(dir)];
    for (const plugin of layer.plugins) visit(findLayer(plugin, key), here);
    if (layer.inheritFrom) visit(findLayer(layer.inheritFrom, key), here);
    visiting.delete(key);
    done.add(key);
    ordered.push(layer);
    if (ordered.length > MAX_LAYERS)
      throw new RuntimeError(
        "app_invalid",
        `${basename(appDir)} is composed of more than ${MAX_LAYERS} apps and plugins.`,
      );
  }
  visit(appDir, []);
  return ordered;
}

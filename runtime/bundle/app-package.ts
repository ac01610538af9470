/** Reads an app folder's package.json (`comindApp`) and checks the vendor layout. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { RuntimeError } from "../errors.ts";
import { readSavedLists, type SavedList } from "./saved-lists.ts";

export interface AppPackage {
  dir: string;
  name: string;
  alias: string;
  titleSingular: string;
  titlePlural: string;
  dependencies: string[];
  /** Other apps (aliases) whose records this app's logic may read and write (`comindApp.dependsOn`). */
  dependsOn: string[];
  /** Saved lists (`comindApp.lists`): named filters, see saved-lists.ts. */
  lists: SavedList[];
}

const ALIAS = /^[A-Z][A-Z0-9_]{0,39}$/;

function readJson(path: string, what: string): any {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new RuntimeError("app_invalid", `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** `dir` as the user wrote it (messages name that path); the returned `dir` is absolute. */
export function readAppPackage(dir: string): AppPackage {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RuntimeError("unknown_app", `App folder "${dir}" does not exist.`);
  }
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath))
    throw new RuntimeError(
      "app_invalid",
      `App folder "${dir}" has no package.json; an app needs one with a "comindApp" section.`,
    );
  const pkg = readJson(pkgPath, `${join(dir, "package.json")}`);
  const app = pkg.comindApp;
  if (!app || typeof app !== "object")
    throw new RuntimeError(
      "app_invalid",
      `${join(dir, "package.json")} has no "comindApp" section (e.g. { "publishingAlias": "CONTACT" }).`,
    );
  const alias = String(app.publishingAlias ?? "");
  if (!ALIAS.test(alias))
    throw new RuntimeError(
      "app_invalid",
      `comindApp.publishingAlias "${alias}" must be upper-case letters, digits or _ (e.g. "CONTACT").`,
    );
  if (!existsSync(join(dir, "actions", "logic", "index.ts"))) {
    throw new RuntimeError(
      "app_invalid",
      `App ${alias} has no actions/logic/index.ts (export default { my_action } satisfies ActionLogic<typeof entity>).`,
    );
  }
  return {
    dir: resolve(dir),
    name: String(pkg.name ?? basename(resolve(dir))),
    alias,
    titleSingular: String(app.titleSingular ?? alias),
    titlePlural: String(app.titlePlural ?? alias),
    dependencies: Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }),
    dependsOn: Array.isArray(app.dependsOn)
      ? app.dependsOn.map((other: unknown) => String(other).toUpperCase())
      : [],
    lists: readSavedLists(alias, app.lists),
  };
}

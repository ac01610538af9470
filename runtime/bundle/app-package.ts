/** Reads an app folder's package.json (`comindApp`) and checks the vendor layout. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";
import { pluginOnlyName } from "./layers.ts";
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
  /**
   * The process template id legacy clients name the app by (`process_template_id`, `/pid/...`):
   * `comindApp.processTemplateId`, else `default-<package name without its scope>`.
   */
  processTemplateId: string;
  /** Whether `processTemplateId` was declared (else derived, and used only while unambiguous). */
  processTemplateDeclared: boolean;
  /** Saved lists (`comindApp.lists`): named filters, see saved-lists.ts. */
  lists: SavedList[];
}

const ALIAS = /^[A-Z][A-Z0-9_]{0,39}$/;
const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `comindApp.processTemplateId`, or the vendor's naming: package `@comind/app-crm-lead` -> `default-app-crm-lead`. */
function processTemplateOf(app: Record<string, unknown>, name: string): { id: string; declared: boolean } {
  const declared = app.processTemplateId;
  if (declared === undefined)
    return { id: `default-${name.replace(/^@[^/]+\//, "")}`.toLowerCase(), declared: false };
  if (typeof declared !== "string" || !TEMPLATE_ID.test(declared))
    throw new RuntimeError(
      "app_invalid",
      `comindApp.processTemplateId must be letters, digits, ".", "_" or "-" (e.g. "default-app-crm-lead"), at most 100.`,
    );
  return { id: declared.toLowerCase(), declared: true };
}

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
  const plugin = app ? null : pluginOnlyName(dir);
  if (plugin)
    throw new RuntimeError(
      "app_invalid",
      `"${dir}" is the plugin ${plugin}: a layer of the apps that list it in their dependencies, not an app of its own. Run or check an app that uses it.`,
    );
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
  const name = String(pkg.name ?? basename(resolve(dir)));
  const template = processTemplateOf(app, name);
  return {
    dir: resolve(dir),
    name,
    alias,
    titleSingular: String(app.titleSingular ?? alias),
    titlePlural: String(app.titlePlural ?? alias),
    dependencies: Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }),
    dependsOn: Array.isArray(app.dependsOn)
      ? app.dependsOn.map((other: unknown) => appAliasKey(String(other)))
      : [],
    processTemplateId: template.id,
    processTemplateDeclared: template.declared,
    lists: readSavedLists(alias, app.lists),
  };
}

/**
 * Where the runtime finds its own files at run time, the same from a clone (TypeScript sources
 * run by Node 24) and from the build in `node_modules/comind-runtime/dist` (JavaScript): this
 * file sits at `runtime/paths.ts` or `dist/runtime/paths.js`, and everything else is relative to it.
 */
import { readFileSync } from "node:fs";
import { extname, join } from "node:path";

/** `.ts` when running from the sources, `.js` from the build. */
export const MODULE_EXT = extname(import.meta.filename);

/** True when running from the published build rather than a clone's sources. */
export const FROM_BUILD = MODULE_EXT === ".js";

/** The in-isolate globals and the app-author types (`globals/` or `dist/globals/`). */
export const GLOBALS_DIR = join(import.meta.dirname, "..", "globals");

/** A module of ours by its path without extension, e.g. `moduleFile(GLOBALS_DIR, "bootstrap")`. */
export function moduleFile(...segments: string[]): string {
  return `${join(...segments)}${MODULE_EXT}`;
}

/** The package's root folder: the clone, or `node_modules/comind-runtime` (the build is in its dist/). */
export const PACKAGE_ROOT = join(import.meta.dirname, ...(FROM_BUILD ? ["..", ".."] : [".."]));

/** The package's own package.json (version, the dev tools an app repository gets). */
export function ownPackageJson(): {
  version: string;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8"));
}

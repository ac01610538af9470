/**
 * Where this comind-runtime was installed from, so that the app repository `init --workspace`
 * makes depends on the same one: a `"^0.1.0"` range names a release on the registry, which a
 * clone or a packed tarball is not (npm install then fails with E404).
 *
 * - a clone: the TypeScript sources run (FROM_BUILD is false) and the package root is the clone;
 * - a tarball or a git URL: npm records the spec it installed in the install root's hidden
 *   lockfile (`node_modules/.package-lock.json`, npm 7+), relative to that root: `npx -p x.tgz`
 *   installs into the npx cache, `npm install x.tgz` into the project;
 * - anything else (the registry, or a global install, which has no hidden lockfile): the registry.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { FROM_BUILD, PACKAGE_ROOT } from "../paths.ts";

export type RuntimeSource =
  | { kind: "clone"; path: string }
  | { kind: "tarball"; path: string }
  | { kind: "git"; spec: string }
  | { kind: "registry" };

/** The hidden lockfile's record of the package at `root`, or undefined. */
function lockedResolved(root: string): { installRoot: string; resolved: string } | undefined {
  const at = root.indexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const installRoot = root.slice(0, at);
  const lockfile = join(installRoot, "node_modules", ".package-lock.json");
  if (!existsSync(lockfile)) return undefined;
  try {
    const lock = JSON.parse(readFileSync(lockfile, "utf8")) as {
      packages?: Record<string, { resolved?: unknown }>;
    };
    const key = relative(installRoot, root).split(sep).join("/");
    const resolved = lock.packages?.[key]?.resolved;
    return typeof resolved === "string" ? { installRoot, resolved } : undefined;
  } catch {
    return undefined;
  }
}

export function runtimeSource(root: string = PACKAGE_ROOT, fromBuild: boolean = FROM_BUILD): RuntimeSource {
  if (!fromBuild) return { kind: "clone", path: root };
  const locked = lockedResolved(root);
  if (!locked) return { kind: "registry" };
  if (locked.resolved.startsWith("file:")) {
    const path = resolve(locked.installRoot, locked.resolved.slice("file:".length));
    if (/\.(tgz|tar\.gz)$/.test(path) && existsSync(path)) return { kind: "tarball", path };
    return { kind: "registry" };
  }
  if (/^git(\+[a-z]+)?:/.test(locked.resolved)) return { kind: "git", spec: locked.resolved };
  return { kind: "registry" };
}

/** The `dependencies` value for comind-runtime in an app repository at `target`. */
export function dependencySpec(source: RuntimeSource, target: string, version: string): string {
  switch (source.kind) {
    case "clone":
    case "tarball":
      return `file:${relative(target, source.path).split(sep).join("/") || "."}`;
    case "git":
      return source.spec;
    case "registry":
      return `^${version}`;
  }
}

/** Files `init` may find in the target folder: a git repository, the tarball it was installed from. */
export function tolerated(source: RuntimeSource, target: string): Set<string> {
  const names = new Set([".git"]);
  if (source.kind === "tarball" && dirname(source.path) === target) names.add(basename(source.path));
  return names;
}

/**
 * `npx` installs what it runs into the npm cache (`<cache>/_npx/<hash>/`), one folder per set of
 * packages, and a test that runs npx from a temp folder makes a new one each time (hundreds of MB
 * with Node 24). Tests remove the folders that name their own temp paths, and only those.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

function npxCache(env: NodeJS.ProcessEnv): string {
  const cache = execFileSync("npm", ["config", "get", "cache"], { env, encoding: "utf8" }).trim();
  return join(cache, "_npx");
}

/** The folders of every npx install, e.g. to tell which ones a test made. */
export function npxInstalls(env: NodeJS.ProcessEnv = process.env): string[] {
  const root = npxCache(env);
  return existsSync(root) ? readdirSync(root).map((name) => join(root, name)) : [];
}

/** Removes the npx installs whose package.json names a path under `tempRoot`; returns how many. */
export function removeNpxInstallsUnder(tempRoot: string, env: NodeJS.ProcessEnv = process.env): number {
  const root = npxCache(env);
  if (!existsSync(root)) return 0;
  let removed = 0;
  for (const name of readdirSync(root)) {
    const manifest = join(root, name, "package.json");
    if (!existsSync(manifest) || !readFileSync(manifest, "utf8").includes(tempRoot)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

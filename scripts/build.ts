/**
 * `npm run build` (also run by `prepack`): the TypeScript sources to JavaScript + .d.ts in dist/
 * with tsc, then every file tsc does not emit (SQL migrations, JSON, templates, hand-written
 * .d.ts, assets) copied beside the code that reads it. Nothing here names individual files or
 * dependencies, so what others add under runtime/ or globals/ is packaged too.
 */
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const DIST = join(ROOT, "dist");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** tsc emits .ts (not .d.ts) files; everything else is copied as it is. */
const emittedByTsc = (path: string) => path.endsWith(".ts") && !path.endsWith(".d.ts");

rmSync(DIST, { recursive: true, force: true });
for (const project of ["tsconfig.runtime.json", "tsconfig.globals.json"]) {
  execFileSync(process.execPath, [TSC, "-p", join(import.meta.dirname, project)], {
    stdio: ["ignore", process.stderr, process.stderr],
  });
}
for (const folder of ["runtime", "globals"]) {
  cpSync(join(ROOT, folder), join(DIST, folder), {
    recursive: true,
    filter: (source) => !emittedByTsc(source),
  });
}
// stderr: `npm pack --json` keeps stdout for its JSON.
process.stderr.write(`built ${DIST}\n`);

/** The in-isolate globals (globals/bootstrap.ts) bundled once per process; `__comindGlobals.bootstrap` is the entry. */
import * as esbuild from "esbuild";
import { join } from "node:path";

let cached: Promise<string> | null = null;

export function globalsScript(): Promise<string> {
  cached ??= esbuild
    .build({
      entryPoints: [join(import.meta.dirname, "..", "..", "globals", "bootstrap.ts")],
      bundle: true,
      write: false,
      format: "iife",
      globalName: "__comindGlobals",
      platform: "neutral",
      target: "es2022",
      logLevel: "silent",
    })
    .then((result) => result.outputFiles[0].text);
  return cached;
}

/** The in-isolate globals (globals/bootstrap.ts) bundled once per process; `__comindGlobals.setupRealm` is the entry (see isolateScript). */
import * as esbuild from "esbuild";
import { GLOBALS_DIR, moduleFile } from "../paths.ts";

let cached: Promise<string> | null = null;

export function globalsScript(): Promise<string> {
  cached ??= esbuild
    .build({
      entryPoints: [moduleFile(GLOBALS_DIR, "bootstrap")],
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

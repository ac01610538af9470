/**
 * esbuild plugin: maps `@comind/api` and `@comind/api/server` to this project's globals and
 * refuses what action logic cannot use (Node built-ins, fetch libraries, undeclared packages)
 * with a message naming the importing file and line.
 */
import type { Plugin } from "esbuild";
import { builtinModules } from "node:module";
import { GLOBALS_DIR, moduleFile } from "../paths.ts";

const SHIMS: Record<string, string> = {
  "@comind/api": moduleFile(GLOBALS_DIR, "shims", "api"),
  "@comind/api/server": moduleFile(GLOBALS_DIR, "shims", "server"),
};
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const HTTP_LIBRARIES = new Set([
  "node-fetch",
  "cross-fetch",
  "isomorphic-fetch",
  "axios",
  "undici",
  "got",
  "ky",
  "superagent",
  "request",
]);

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export function comindResolvePlugin(declaredDependencies: string[]): Plugin {
  const declared = new Set(declaredDependencies);
  return {
    name: "comind-resolve",
    setup(build) {
      build.onResolve({ filter: /^[^./#]/ }, (args) => {
        if (SHIMS[args.path]) return { path: SHIMS[args.path] };
        if (args.importer.startsWith(GLOBALS_DIR)) return undefined;
        if (BUILTINS.has(args.path) || args.path.startsWith("node:")) {
          return {
            errors: [
              {
                text: `Node built-in "${args.path}" is not available in action logic; use RestApi, Files or ComindServer instead.`,
              },
            ],
          };
        }
        const name = packageName(args.path);
        if (HTTP_LIBRARIES.has(name)) {
          return {
            errors: [
              {
                text: `"${name}" cannot be used in action logic (no fetch or sockets in the sandbox); use RestApi instead.`,
              },
            ],
          };
        }
        if (!declared.has(name)) {
          return {
            errors: [
              {
                text: `Package "${name}" is not declared in the app's package.json dependencies; add it there (and install it) or remove the import.`,
              },
            ],
          };
        }
        return undefined;
      });
    },
  };
}

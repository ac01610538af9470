/**
 * The runtime's version: package.json's, the one source (CLI --version, /api/common, OpenAPI).
 * Found by walking up from this file, so it works from the source tree and from a built dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function readVersion(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "comind-runtime" && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return "0.0.0";
  }
}

export const VERSION = readVersion();

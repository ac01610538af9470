/**
 * Bundles an app folder with esbuild into two isolate scripts: the logic (actions/logic +
 * preconditions) and the manifest (fields, actions, settings vars), each one IIFE with an
 * inline source map.
 *
 * @example
 *   const build = await buildApp("apps/app-crm-contact");
 *   build.alias; // "CONTACT"
 */
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../errors.ts";
import { codeFrame } from "./code-frame.ts";
import { readAppPackage, type AppPackage } from "./app-package.ts";
import { anyLayerHas, composedLogicEntry, composedManifestEntry } from "./compose.ts";
import { resolveLayers, type LayerPackage } from "./layers.ts";
import { comindResolvePlugin } from "./resolve-plugin.ts";

export interface AppBuild {
  pkg: AppPackage;
  alias: string;
  /** IIFE that sets `__comindApp = { logic, preconditions }`. */
  logicCode: string;
  /** IIFE that sets `__comindManifest = { fields, actions, settings, secrets }`; reading it runs settings/secrets.ts. */
  manifestCode: string;
  /** The app has actions/logic/preconditions.ts (else every action is always allowed). */
  hasPreconditions: boolean;
  /** Content hash of both scripts: a changed app gets fresh isolates. */
  hash: string;
  /** Folders of the plugins and parent apps it is composed of, base first (empty: none). */
  layers: string[];
}

function optionalExport(appDir: string, name: string, relPath: string): string {
  return existsSync(join(appDir, relPath))
    ? `export * as ${name} from "./${relPath}";`
    : `export const ${name} = undefined;`;
}

/**
 * A build that failed: the message lists `file:line:column: text` (what REST and --json show);
 * `frame` adds the source line with a caret under the spot (code-frame.ts), for a person at a
 * terminal (`dev` logs it). Both name files relative to the app folder.
 */
export class BuildError extends RuntimeError {
  readonly frame: string;
  constructor(message: string, frame: string) {
    super("build_error", message);
    this.name = "BuildError";
    this.frame = frame;
  }
}

/** The code frame of a build error (undefined for any other error). */
export function codeFrameOf(error: unknown): string | undefined {
  return error instanceof BuildError && error.frame ? error.frame : undefined;
}

function formatBuildError(error: unknown): RuntimeError {
  const messages = ((error as esbuild.BuildFailure).errors ?? []).slice(0, 5);
  const lines = messages.map((message) => {
    const where = message.location
      ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: `
      : "";
    return `${where}${message.text}`;
  });
  if (!lines.length) return new RuntimeError("build_error", "The app could not be bundled.");
  return new BuildError(lines.join("\n"), codeFrame(messages));
}

async function bundle(
  pkg: AppPackage,
  entry: string,
  globalName: string,
  dependencies: string[] = pkg.dependencies,
): Promise<string> {
  try {
    const result = await esbuild.build({
      stdin: { contents: entry, resolveDir: pkg.dir, sourcefile: "<entry>.ts", loader: "ts" },
      absWorkingDir: pkg.dir,
      bundle: true,
      write: false,
      format: "iife",
      globalName,
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2022",
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      define: { "process.env": "__comindEnv" },
      plugins: [comindResolvePlugin(dependencies)],
    });
    return result.outputFiles[0].text;
  } catch (error) {
    throw formatBuildError(error);
  }
}

function hashOf(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, 16);
}

/** An app with plugins or a parent: every layer's files bundled into one logic and one manifest. */
async function buildComposed(pkg: AppPackage, layers: LayerPackage[]): Promise<AppBuild> {
  const dependencies = [...new Set(layers.flatMap((layer) => layer.dependencies))];
  const [logicCode, manifestCode] = await Promise.all([
    bundle(pkg, composedLogicEntry(layers), "__comindApp", dependencies),
    bundle(pkg, composedManifestEntry(layers), "__comindManifest", dependencies),
  ]);
  return {
    pkg: { ...pkg, dependsOn: [...new Set(layers.flatMap((layer) => layer.dependsOn))] },
    alias: pkg.alias,
    logicCode,
    manifestCode,
    hasPreconditions: anyLayerHas(layers, "actions/logic/preconditions.ts"),
    hash: hashOf(logicCode, manifestCode),
    layers: layers.slice(0, -1).map((layer) => layer.dir),
  };
}

export async function buildApp(appDir: string): Promise<AppBuild> {
  const pkg = readAppPackage(appDir);
  const layers = resolveLayers(pkg.dir);
  if (layers.length > 1) return buildComposed(pkg, layers);
  const logicEntry = [
    `export * as logic from "./actions/logic/index.ts";`,
    optionalExport(pkg.dir, "preconditions", "actions/logic/preconditions.ts"),
  ].join("\n");
  // settings/index.ts is read with the manifest, so its vars are known before any logic loads;
  // settings/secrets.ts runs there too, so the secret names it reads are recorded (manifest.ts).
  const manifestEntry = [
    optionalExport(pkg.dir, "settings", "settings/index.ts"),
    optionalExport(pkg.dir, "secrets", "settings/secrets.ts"),
    existsSync(join(pkg.dir, "fields", "index.ts"))
      ? `export { default as fields } from "./fields/index.ts";`
      : "export const fields = [];",
    existsSync(join(pkg.dir, "actions", "index.ts"))
      ? `export { default as actions } from "./actions/index.ts";`
      : "export const actions = [];",
  ].join("\n");
  const [logicCode, manifestCode] = await Promise.all([
    bundle(pkg, logicEntry, "__comindApp"),
    bundle(pkg, manifestEntry, "__comindManifest"),
  ]);
  const hash = hashOf(logicCode, manifestCode);
  const hasPreconditions = existsSync(join(pkg.dir, "actions", "logic", "preconditions.ts"));
  return { pkg, alias: pkg.alias, logicCode, manifestCode, hasPreconditions, hash, layers: [] };
}

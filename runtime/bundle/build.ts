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
import { findRefusedUses, refusedGlobalDefines, refusedGlobalsError } from "./refused-globals.ts";
import { comindResolvePlugin } from "./resolve-plugin.ts";
import { markThrowSites } from "./throw-sites.ts";

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

export interface BuildOptions {
  /**
   * Globals the sandbox does not have (sandbox/realm-globals.ts): a use of one in the app's
   * logic fails the build with its file:line (refused-globals.ts). Not given: not checked. A
   * promise is awaited only after esbuild has started, so finding the names overlaps the bundling.
   */
  refuseGlobals?: readonly string[] | Promise<readonly string[]>;
}

async function bundle(
  pkg: AppPackage,
  entry: string,
  globalName: string,
  dependencies: string[] = pkg.dependencies,
  define: Record<string, string> = {},
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
      define: { ...define, "process.env": "__comindEnv" },
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

/** The logic script the isolate runs: its throw statements marked (throw-sites.ts). */
async function bundleLogic(pkg: AppPackage, entry: string, dependencies: string[]): Promise<string> {
  return markThrowSites(await bundle(pkg, entry, "__comindApp", dependencies), pkg.dir);
}

/**
 * Bundles the logic once more with every refused global defined as a marker, and fails the
 * build on a use (refused-globals.ts). Runs beside the real bundles: when the logic does not
 * build at all, this pass finds nothing and the real bundle's build error is the one reported.
 */
async function checkGlobals(
  pkg: AppPackage,
  logicEntry: string,
  dependencies: string[],
  options: BuildOptions,
): Promise<void> {
  const names = await options.refuseGlobals;
  if (!names?.length) return;
  const marked = await bundle(
    pkg,
    logicEntry,
    "__comindApp",
    dependencies,
    refusedGlobalDefines(names),
  ).catch(() => null);
  const uses = marked === null ? [] : findRefusedUses(marked);
  if (uses.length) throw refusedGlobalsError(uses);
}

/** An app with plugins or a parent: every layer's files bundled into one logic and one manifest. */
async function buildComposed(
  pkg: AppPackage,
  layers: LayerPackage[],
  options: BuildOptions,
): Promise<AppBuild> {
  const dependencies = [...new Set(layers.flatMap((layer) => layer.dependencies))];
  const logicEntry = composedLogicEntry(layers);
  const [logicCode, manifestCode] = await Promise.all([
    bundleLogic(pkg, logicEntry, dependencies),
    bundle(pkg, composedManifestEntry(layers), "__comindManifest", dependencies),
    checkGlobals(pkg, logicEntry, dependencies, options),
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

export async function buildApp(appDir: string, options: BuildOptions = {}): Promise<AppBuild> {
  const pkg = readAppPackage(appDir);
  const layers = resolveLayers(pkg.dir);
  if (layers.length > 1) return buildComposed(pkg, layers, options);
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
    bundleLogic(pkg, logicEntry, pkg.dependencies),
    bundle(pkg, manifestEntry, "__comindManifest"),
    checkGlobals(pkg, logicEntry, pkg.dependencies, options),
  ]);
  const hash = hashOf(logicCode, manifestCode);
  const hasPreconditions = existsSync(join(pkg.dir, "actions", "logic", "preconditions.ts"));
  return { pkg, alias: pkg.alias, logicCode, manifestCode, hasPreconditions, hash, layers: [] };
}

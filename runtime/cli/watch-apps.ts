/**
 * `dev`: rebuild an app when a file in its folder changes (its schedules follow: `onRebuilt`). A build that fails keeps the previous
 * version serving and logs why; the next good save replaces it.
 *
 * chokidar, not `fs.watch`: editors and `sed -i` save by writing a new file and renaming it over
 * the old one, after which a plain inode watch misses every later in-place save.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { watch } from "chokidar";
import type { LoadedApp } from "../actions/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import { codeFrameOf, isPluginOnly } from "../bundle/index.ts";
import { publicError } from "../errors.ts";

const DEBOUNCE_MS = 150;

export interface WatchLog {
  info(data: object, message: string): void;
  error(data: object, message: string): void;
}

/** Skips dot-files and dot-folders (editor swap files, .git) and node_modules inside the apps folder. */
function ignoredIn(appsDir: string) {
  return (path: string) =>
    relative(appsDir, path)
      .split(sep)
      .some((part) => part === "node_modules" || (part.startsWith(".") && part !== ".."));
}

/** Resolves once the watcher has scanned the folder: a save after that is never missed. */
export async function watchApps(
  runtime: ActionRuntime,
  appsDir: string,
  log: WatchLog,
  /** Called with each rebuilt app (the job node walks its new schedules). */
  onRebuilt: (app: LoadedApp) => void = () => {},
): Promise<() => Promise<void>> {
  const timers = new Map<string, NodeJS.Timeout>();
  const reload = async (dir: string) => {
    try {
      const app = await runtime.loadApp(dir);
      onRebuilt(app);
      log.info({ app: app.alias, schedules: app.queue.schedules.length }, "app rebuilt");
    } catch (error) {
      log.error(
        { app: dir, error: publicError(error), frame: codeFrameOf(error) },
        "app not rebuilt: the previous version keeps serving",
      );
    }
  };
  const onChange = (path: string) => {
    const folder = relative(appsDir, path).split(sep)[0];
    if (!folder || folder.startsWith("..")) return;
    const dir = join(appsDir, folder);
    if (!existsSync(join(dir, "package.json"))) return;
    // A plugin or parent app changed: rebuild every app composed of it too.
    const dependents = [...runtime.apps.values()]
      .filter((app) => app.build.layers.includes(resolve(dir)))
      .map((app) => app.dir);
    for (const target of isPluginOnly(dir) ? dependents : [dir, ...dependents]) {
      clearTimeout(timers.get(target));
      timers.set(
        target,
        setTimeout(() => void reload(target), DEBOUNCE_MS),
      );
    }
  };
  const watcher = watch(appsDir, { ignoreInitial: true, ignored: ignoredIn(appsDir), atomic: true })
    .on("add", onChange)
    .on("change", onChange)
    .on("unlink", onChange);
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  log.info({ apps: appsDir }, "watching apps for changes");
  return async () => {
    for (const timer of timers.values()) clearTimeout(timer);
    await watcher.close();
  };
}

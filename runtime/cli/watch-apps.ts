/**
 * `dev`: rebuild an app when a file in its folder changes. A build that fails keeps the previous
 * version serving and logs why; the next good save replaces it.
 */
import { existsSync, watch } from "node:fs";
import { join, resolve } from "node:path";
import type { ActionRuntime } from "../actions/index.ts";
import { isPluginOnly } from "../bundle/index.ts";
import { publicError } from "../errors.ts";

const DEBOUNCE_MS = 150;

export interface WatchLog {
  info(data: object, message: string): void;
  error(data: object, message: string): void;
}

export function watchApps(runtime: ActionRuntime, appsDir: string, log: WatchLog): () => void {
  const timers = new Map<string, NodeJS.Timeout>();
  const reload = async (dir: string) => {
    try {
      const app = await runtime.loadApp(dir);
      log.info({ app: app.alias }, "app rebuilt");
    } catch (error) {
      log.error(
        { app: dir, error: publicError(error) },
        "app not rebuilt: the previous version keeps serving",
      );
    }
  };
  const watcher = watch(appsDir, { recursive: true }, (_event, file) => {
    const folder = String(file ?? "").split(/[\\/]/)[0];
    if (!folder || folder.startsWith(".") || folder === "node_modules") return;
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
  });
  return () => {
    watcher.close();
    for (const timer of timers.values()) clearTimeout(timer);
  };
}

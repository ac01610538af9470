/**
 * Loads an app folder into what the lifecycle needs: the bundle, its manifest (fields and
 * actions, read inside an isolate), the field schema and the sandbox script.
 */
import { buildApp, type AppBuild } from "../bundle/index.ts";
import { readManifest, sourceMapOf, type AppManifest, type SandboxApp } from "../sandbox/index.ts";
import { BASE_ACTION_UIDS } from "./base-actions.ts";
import { FieldSchema } from "./fields.ts";

export interface LoadedApp {
  alias: string;
  dir: string;
  build: AppBuild;
  manifest: AppManifest;
  schema: FieldSchema;
  sandbox: SandboxApp;
  /** Custom action uids plus the base actions. */
  actionUids: Set<string>;
}

export async function loadApp(dir: string, memoryMb: number): Promise<LoadedApp> {
  const build = await buildApp(dir);
  const manifest = await readManifest(build.manifestCode, build.alias);
  return {
    alias: build.alias,
    dir: build.pkg.dir,
    build,
    manifest,
    schema: new FieldSchema(build.alias, manifest.fields),
    sandbox: {
      key: `${build.alias}:${build.hash}:${memoryMb}`,
      logicCode: build.logicCode,
      memoryMb,
      sourceMap: sourceMapOf(build.logicCode),
    },
    actionUids: new Set([...BASE_ACTION_UIDS, ...manifest.actions.map((action) => action.uid)]),
  };
}

/**
 * Loads an app folder into what the lifecycle needs: the bundle, its manifest (fields and
 * actions, read inside an isolate), the field schema and the sandbox script.
 */
import { buildApp, type AppBuild } from "../bundle/index.ts";
import {
  readManifest,
  refusedGlobalNames,
  sourceMapOf,
  type AppManifest,
  type SandboxApp,
} from "../sandbox/index.ts";
import { parseQueueSettings, type QueueSettings } from "../queue/index.ts";
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
  /** Actions with `skipAuditTrail` or `skipCreatingVersion`: they write no history entry. */
  historyless: Set<string>;
  /** Actions with `showAsMassAction: false`: refused on several records at once. */
  singleOnly: Set<string>;
  /** Actions with `visible: false`: not offered to users and refused over the REST API. */
  hidden: Set<string>;
  /** Actions with `invokeFromEmail: true`: incoming e-mail may fire them (runtime/mail-in). */
  fromEmail: Set<string>;
  /** Schedules, webhooks, retry policy and e-mail routing (settings/index.ts), checked at build time. */
  queue: QueueSettings;
}

export async function loadApp(dir: string, memoryMb: number): Promise<LoadedApp> {
  // A global the sandbox lacks (fetch, setTimeout, ...) fails the build with file:line, so
  // `check`, `run`, `serve` and the test kit refuse it before any action runs.
  // Found while esbuild bundles; a bad package.json fails the build before they are awaited.
  const refuseGlobals = refusedGlobalNames();
  refuseGlobals.catch(() => undefined);
  const build = await buildApp(dir, { refuseGlobals });
  const manifest = await readManifest(build.manifestCode, build.alias);
  const actionUids = new Set([...BASE_ACTION_UIDS, ...manifest.actions.map((action) => action.uid)]);
  const fromEmail = new Set(manifest.actions.filter((a) => a.invokeFromEmail === true).map((a) => a.uid));
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
    actionUids,
    historyless: new Set(
      manifest.actions.filter((a) => a.skipAuditTrail || a.skipCreatingVersion).map((a) => a.uid),
    ),
    singleOnly: new Set(manifest.actions.filter((a) => a.showAsMassAction === false).map((a) => a.uid)),
    hidden: new Set(manifest.actions.filter((a) => a.visible === false).map((a) => a.uid)),
    fromEmail,
    queue: parseQueueSettings(manifest.queue, build.alias, actionUids, fromEmail),
  };
}

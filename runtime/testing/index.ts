/**
 * The app developer's test kit: one app on a throwaway embedded store, outbound HTTP answered by an
 * undici MockAgent (or any dispatcher), secrets given inline. Everything else is the real runtime:
 * the same bundle, isolate, limits and transaction as in production.
 *
 * @example
 *   const http = new MockAgent();
 *   http.disableNetConnect();
 *   http.get("https://crm.example.com").intercept({ path: /^\/api\/v2\/contacts/ }).reply(200, { data: [] });
 *   const app = await createAppTester("apps/app-crm-contact", { http, secrets: { COMIND_SECRET_CRM_API_KEY: "k", COMIND_SECRET_CRM_BASE_URL: "https://crm.example.com" } });
 *   const result = await app.run("sync_contacts");
 *   await app.close();
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dispatcher } from "undici";

/** undici's MockAgent, re-exported so an app repository needs no undici dependency of its own. */
export { MockAgent } from "undici";
/** Callers for `runtime.run` (every run names one): `asDeveloper(user?)`, `LOCAL_DEVELOPER`. */
export { asDeveloper, LOCAL_DEVELOPER, type RunCaller } from "../access/index.ts";
import { asDeveloper, type Caller as CurrentUser, LOCAL_DEVELOPER } from "../access/index.ts";
import type { ActionResult } from "../actions/index.ts";
import {
  createActionRuntime,
  type ActionRuntime,
  type ReplayOptions,
  type ReplayReport,
  type RuntimeOptions,
} from "../runs/index.ts";
import type { NotificationOptions } from "../notify/index.ts";
import type { SandboxLimits } from "../sandbox/index.ts";
import { openStore, type Store, type StoredRecord } from "../store/index.ts";

export interface AppTesterOptions {
  /** Answers outbound requests instead of the network, e.g. an undici MockAgent. */
  http?: Dispatcher;
  /** COMIND_SECRET_* values (the process environment is not read). */
  secrets?: Record<string, string>;
  user?: CurrentUser;
  limits?: Partial<SandboxLimits>;
  /** Hosts the egress policy would otherwise refuse (loopback test servers). */
  allowHosts?: string[];
  /** Where `__sendNotifications` e-mails go (e.g. `{ smtpUrl }` of a test SMTP server); default: logged only. */
  notifications?: NotificationOptions;
  /** Which runs keep a recording (`runtime.store.getRunRecording(runId)`); default: failed ones. */
  recording?: RuntimeOptions["recording"];
}

export interface AppTester {
  alias: string;
  runtime: ActionRuntime;
  store: Store;
  /** Runs an action on a new record, or on `recordId` with `values` applied first. */
  run(
    action: string,
    options?: { recordId?: string; values?: Record<string, unknown> },
  ): Promise<ActionResult>;
  /**
   * Replays a recorded run (a production failure: GET /api/runs/{runId}/recording) against this
   * app: host calls answered from the recording. `expect((await app.replay(rec)).replayed.ok).toBe(true)`
   * turns the failure into a regression test.
   */
  replay(recording: unknown, options?: ReplayOptions): Promise<ReplayReport>;
  /** Records of the app, optionally filtered by equal field values. */
  records(where?: Record<string, unknown>): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

export async function createAppTester(appDir: string, options: AppTesterOptions = {}): Promise<AppTester> {
  const dataDir = mkdtempSync(join(tmpdir(), "comind-app-test-"));
  const store = await openStore({ dataDir });
  const runtime = await createActionRuntime({
    store,
    secrets: options.secrets ?? {},
    httpDispatcher: options.http,
    limits: options.limits,
    allowHosts: options.allowHosts,
    notifications: options.notifications ?? { log: () => undefined },
    recording: options.recording,
  });
  const app = await runtime.loadApp(appDir);
  return {
    alias: app.alias,
    runtime,
    store,
    run: (action, { recordId, values } = {}) =>
      runtime.run({
        app: app.alias,
        action,
        recordId,
        values,
        caller: asDeveloper(options.user ?? LOCAL_DEVELOPER),
        source: "test",
      }),
    replay: (recording, replayOptions) => runtime.replay(recording, replayOptions),
    records: (where) =>
      store.findRecords({ workspace: runtime.config.workspace, app: app.alias, where, sortBy: "number asc" }),
    async close() {
      await runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The runtime's public API (`import { ... } from "comind-runtime"`): run actions of apps on a
 * store, serve the REST API, and the error registry. The test kit is `comind-runtime/testing`.
 *
 * @example
 *   import { createActionRuntime, openStore } from "comind-runtime";
 *   const store = await openStore({ dataDir: "./data" });
 *   const runtime = await createActionRuntime({ store, allowHosts: ["127.0.0.1"] });
 *   const app = await runtime.loadApp("apps/app-crm-contact");
 *   const result = await runtime.run({ app: app.alias, action: "sync_contacts", caller: asDeveloper(), createIfMissing: true });
 *   await runtime.close();
 *   await store.close();
 */
export type { ActionError, ActionRequest, ActionResult, LoadedApp } from "./actions/index.ts";
export {
  ActionRuntime,
  createActionRuntime,
  type Idempotency,
  type RunRequest,
  type RunResult,
  type RuntimeOptions,
} from "./runs/index.ts";
export { asDeveloper, LOCAL_DEVELOPER, type RunCaller } from "./access/index.ts";
export { buildApp, type AppBuild, readAppPackage, type AppPackage } from "./bundle/index.ts";
export { ERROR_CODES, type ErrorCode, isRuntimeError, publicError, RuntimeError } from "./errors.ts";
export { DEFAULT_LIMITS, type SandboxLimits } from "./sandbox/index.ts";
export { createServer, type ServerOptions } from "./server/index.ts";
export { type MailInOptions, type MailListener, startMailListener } from "./mail-in/index.ts";
export { createPrometheusMetrics, type Metrics, NO_METRICS, PrometheusMetrics } from "./metrics/index.ts";
export { openStore, type Store, type StoreOptions } from "./store/index.ts";

/** The isolated-vm sandbox: warm per-app isolates, the bridge table, limits, stack mapping. */
export { IsolatePool, type CompiledApp } from "./isolate-pool.ts";
export {
  executeInSandbox,
  type SandboxApp,
  type SandboxRun,
  type SandboxOutcome,
  type ActionFailure,
  type WorkerHttpAnswer,
} from "./execute.ts";
export { readManifest, type AppManifest } from "./manifest.ts";
export {
  DEFAULT_LIMITS,
  DEFAULT_WARM_ISOLATES_MB,
  DEFAULT_WORKER_NICE,
  defaultWorkerMemoryMb,
  LIMIT_RANGES,
} from "../limits.ts";
export {
  limitOverridesSchema,
  sandboxLimitsSchema,
  withLimits,
  type LimitOverrides,
  type SandboxLimits,
} from "./limits-schema.ts";
export { sourceMapOf } from "./stack.ts";
export { actionSeed } from "./seed.ts";
export type { HostFunctions } from "./bridge.ts";
export { SYNC_CALLS, ASYNC_CALLS } from "./bridge.ts";
export { lazyHostTable } from "./lazy-host.ts";
export { WorkerSupervisor } from "./worker/supervisor.ts";
export { prewarmApp } from "./warm-up.ts";
export { asyncLogicFunctions } from "./async-logic.ts";
export { refusedGlobalNames } from "./realm-globals.ts";

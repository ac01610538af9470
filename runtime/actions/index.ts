/** The action lifecycle: load record -> run logic in the sandbox -> commit or roll back. */
export { ActionRuntime, createActionRuntime } from "./runtime.ts";
export {
  parseRuntimeOptions,
  RUNTIME_RANGES,
  runtimeOptionsSchema,
  type RuntimeOptions,
} from "./options-schema.ts";
export type { ActionRequest, ActionResult, ActionError, CommitPhase, JobContext } from "./types.ts";
export { authorizeRun, permissionsFor } from "./authorize-run.ts";
export { loadApp, type LoadedApp } from "./app-loader.ts";
export { BASE_ACTIONS, BASE_ACTION_UIDS } from "./base-actions.ts";
export { BASE_FIELDS, FieldSchema, type JsonRecord, READ_ONLY_FIELDS } from "./fields.ts";
export { toEntity } from "./record-shape.ts";
export { assertKnownFilterFields } from "./filter-fields.ts";
export { runDocument, type RunDocument } from "./run-document.ts";
export type { UnitOfWork } from "./unit-of-work.ts";
export { allowedTransitions } from "./transitions.ts";

/** The action lifecycle: load record -> run logic in the sandbox -> commit or roll back. */
export { ActionRuntime, createActionRuntime, type RuntimeOptions } from "./runtime.ts";
export type { ActionRequest, ActionResult, ActionError, JobContext } from "./types.ts";
export { DEFAULT_USER } from "./types.ts";
export { loadApp, type LoadedApp } from "./app-loader.ts";
export { BASE_FIELDS, READ_ONLY_FIELDS } from "./fields.ts";
export { toEntity } from "./record-shape.ts";
export { assertKnownFilterFields } from "./filter-fields.ts";

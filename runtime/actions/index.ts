/** The action lifecycle: load record -> run logic in the sandbox -> commit or roll back. */
export { ActionRuntime, createActionRuntime, type RuntimeOptions } from "./runtime.ts";
export type { ActionRequest, ActionResult, ActionError } from "./types.ts";
export { DEFAULT_USER } from "./types.ts";
export type { LoadedApp } from "./app-loader.ts";
export { toEntity } from "./record-shape.ts";

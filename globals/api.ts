/**
 * `@comind/api` as app developers see it: `makeEntity` and the app types.
 * At run time the bundler maps this import to shims/api.ts.
 */
export { makeEntity } from "./entity.ts";
export type {
  ActionLogicOf,
  AppAction,
  AppActionArray,
  AppField,
  AppFieldArray,
  AppFieldType,
  AttachmentItem,
  BaseEntity,
  CurrentUser,
  EntityOf,
  ResolvedLookup,
} from "./app-types.ts";
export * from "./server.ts";

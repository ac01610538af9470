/**
 * Users and access: who the caller is (`resolveUser`) and the one permission check every entry
 * point uses (`checkAccess`), and who a run is for (`RunCaller`: every run names one).
 *
 * @example await checkAccess(store, { user, workspace: "DEMO", app: "HELPDESK", permission: "write" });
 */
export { appsAllowed, checkAccess, hasAccess, type AccessRequest } from "./check.ts";
export type { Permission } from "../store/index.ts";
export {
  actorOf,
  asDeveloper,
  LOCAL_DEVELOPER,
  type RunCaller,
  storedCaller,
  SYSTEM_CALLERS,
  type SystemCallerName,
  systemPrincipal,
  systemUser,
} from "./run-caller.ts";
export { cachedUserResolver, isResolved, resolveUser, userForRunAs, type Caller } from "./users.ts";
export { readableFile, type FileReadRequest } from "./files.ts";
export { maySeeRun, runListActor } from "./runs.ts";
export { accessPassTtl, createAccessPass, readAccessPass, type AccessPass } from "./access-pass.ts";

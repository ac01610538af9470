/**
 * Users and access: who the caller is (`resolveUser`) and the one permission check every entry
 * point uses (`checkAccess`): the REST API, `runAsUser` in ComindServer, and the MCP tools.
 *
 * @example await checkAccess(store, { user, workspace: "DEMO", app: "HELPDESK", permission: "write" });
 */
export { appsAllowed, checkAccess, hasAccess, permissionFor, type AccessRequest } from "./check.ts";
export { cachedUserResolver, isResolved, resolveUser, userForRunAs, type Caller } from "./users.ts";
export { readableFile, type FileReadRequest } from "./files.ts";
export { accessPassTtl, createAccessPass, readAccessPass, type AccessPass } from "./access-pass.ts";

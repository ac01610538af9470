/**
 * App settings inside the isolate: vars from settings/index.ts (read with the app's manifest and
 * handed in before any app code runs) and the secrets that settings/secrets.ts declares (asked
 * from the host, which holds the values).
 */
import type { AppSchemaInfo, UserInfo } from "./bridge-contract.ts";
import { callAsync, callSync } from "./host-call.ts";

let vars: Record<string, unknown> = {};

/** Called by the bootstrap before the app bundle loads, so module-level getVars() works too. */
export function setVars(value: Record<string, unknown>): void {
  vars = Object.freeze({ ...value });
}

export function getVars(): Record<string, any> {
  return vars;
}

let secretsCache: Record<string, string> | null = null;

export function getSecrets(): Record<string, string | undefined> {
  secretsCache ??= Object.freeze(callSync("app.secrets", {}));
  return { ...secretsCache };
}

/**
 * `AppSchema`: the running app as installed in the workspace. Apps are installed by the admin
 * (`serve --apps`), so `install()` only confirms the app is installed and returns its schema, and
 * `uninstall()` is refused: action logic cannot remove an app.
 */
export const AppSchema = {
  getSecrets,
  getVars,
  /** The app's alias, workspace, fields and actions as installed. */
  load(): AppSchemaInfo {
    return callSync("app.schema", {});
  },
  install(): AppSchemaInfo {
    return callSync("app.schema", {});
  },
  uninstall(): never {
    const error = new Error(
      "AppSchema.uninstall() is not available to action logic: an administrator removes apps from the apps folder.",
    );
    Object.defineProperty(error, "code", { value: "forbidden", enumerable: true });
    throw error;
  },
  /** Users who administer the current workspace (CLI: `users add ... --workspace-admin`). */
  getWorkspaceAdmins(): UserInfo[] {
    return callAsync("users.workspaceAdmins", {});
  },
};

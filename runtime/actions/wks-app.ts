/** `wksApp` of the documented ComindServer calls: "WS!APP", or "APP" for the current workspace. */
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";

export function appOfWksApp(wksApp: unknown, workspace: string, defaultApp: string): string {
  if (wksApp === undefined || wksApp === null || wksApp === "") return defaultApp;
  if (typeof wksApp !== "string" || wksApp.length > 200)
    throw new RuntimeError(
      "bad_request",
      'wksApp must be "WORKSPACE!APP" or an app alias, e.g. "DEMO!HELPDESK".',
    );
  const parts = wksApp.split("!");
  if (parts.length > 2 || parts.some((part) => part.trim() === ""))
    throw new RuntimeError(
      "bad_request",
      `wksApp "${wksApp.slice(0, 80)}" must be "WORKSPACE!APP" or an app alias.`,
    );
  if (parts.length === 2 && parts[0].trim().toUpperCase() !== workspace.toUpperCase())
    throw new RuntimeError(
      "not_found",
      `Workspace ${parts[0].slice(0, 40)} is not served here (this runtime serves ${workspace}).`,
    );
  return appAliasKey(parts[parts.length - 1].trim());
}

/**
 * App settings inside the isolate: vars from settings/index.ts (bundled with the app) and the
 * secrets that settings/secrets.ts declares (asked from the host, which holds the values).
 */
import { callSync } from "./host-call.ts";

let vars: Record<string, unknown> = {};

/** Called by the bootstrap with the app's `settings/index.ts` module, if it has one. */
export function setAppSettingsModule(settingsModule: unknown): void {
  const mod = settingsModule as Record<string, any> | undefined;
  const settings = mod?.default ?? mod?.settings ?? mod;
  const found = settings?.vars ?? mod?.vars;
  vars = found && typeof found === "object" ? found : {};
}

export function getVars(): Record<string, any> {
  return vars;
}

let secretsCache: Record<string, string> | null = null;

export function getSecrets(): Record<string, string | undefined> {
  secretsCache ??= Object.freeze(callSync("app.secrets", {}));
  return { ...secretsCache };
}

export const AppSchema = { getSecrets, getVars };

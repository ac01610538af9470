/**
 * App settings inside the isolate: vars from settings/index.ts (read with the app's manifest and
 * handed in before any app code runs) and the secrets that settings/secrets.ts declares (asked
 * from the host, which holds the values).
 */
import { callSync } from "./host-call.ts";

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

export const AppSchema = { getSecrets, getVars };

/**
 * Reads an app's fields and actions by running its manifest bundle in a throwaway isolate:
 * fields/index.ts is app code, so it never runs on the host.
 */
import ivm from "isolated-vm";
import type { AppAction, AppField } from "../../globals/app-types.ts";
import { SECRET_PREFIX } from "../bundle/index.ts";
import { RuntimeError } from "../errors.ts";
import { parseFromIsolate } from "./marshal.ts";

export interface AppManifest {
  fields: AppField[];
  actions: AppAction[];
  /** `vars` of settings/index.ts (`export default { vars }`, `export const vars` or `export const settings = { vars }`). */
  vars: Record<string, unknown>;
  /** `schedules`, `webhooks`, `retries`, `quotas`, `email`, `recordRuns` of settings/index.ts, unchecked (runtime/queue/settings.ts checks them). */
  queue: Record<string, unknown>;
  /**
   * The COMIND_SECRET_* names settings/secrets.ts reads: recorded by the `process.env` it runs
   * with, so `const { COMIND_SECRET_X } = process.env` counts and a commented-out reference does
   * not. An app sees only these secrets.
   */
  secretNames: string[];
}

// `process.env` is compiled to `__comindEnv` (bundle/build.ts): here it records every name read
// while the manifest bundle, settings/secrets.ts included, runs, and answers undefined.
const RECORD_ENV = `var __comindEnvReads = [];
var __comindEnv = new Proxy({}, { get(_, key) { if (typeof key === "string") __comindEnvReads.push(key); return undefined; } });`;

const READ_MANIFEST = `;(() => {
  const m = __comindManifest, s = m.settings || {};
  const vars = (s.default && s.default.vars) || s.vars || (s.settings && s.settings.vars) || {};
  const all = (s.default && typeof s.default === "object") ? s.default : (s.settings || s);
  const queue = { vars, schedules: all.schedules, webhooks: all.webhooks, retries: all.retries, quotas: all.quotas, email: all.email, recordRuns: all.recordRuns };
  return JSON.stringify({ fields: m.fields, actions: m.actions, vars, queue, envReads: __comindEnvReads });
})()`;

const FIELD_TYPES = new Set([
  "text",
  "number",
  "date",
  "datetime",
  "bool",
  "object",
  "lookup",
  "lookupMulti",
  "appsLookup",
  "linkto",
  "linkslist",
  "fileslist",
  "peoplelist",
  "person",
]);

function check(manifest: AppManifest, alias: string): AppManifest {
  if (!Array.isArray(manifest.fields) || !Array.isArray(manifest.actions)) {
    throw new RuntimeError(
      "app_invalid",
      `App ${alias}: fields/index.ts and actions/index.ts must each export default an array.`,
    );
  }
  for (const field of manifest.fields) {
    if (!field || typeof field.name !== "string" || !/^[a-z_][a-z0-9_]*$/.test(field.name)) {
      throw new RuntimeError(
        "app_invalid",
        `App ${alias}: field name ${JSON.stringify(field?.name)} must be lower-case letters, digits or _ (custom fields start with c_).`,
      );
    }
    if (!FIELD_TYPES.has(field.type)) {
      throw new RuntimeError(
        "app_invalid",
        `App ${alias}: field "${field.name}" has unknown type ${JSON.stringify(field.type)} (use ${[...FIELD_TYPES].join(", ")}).`,
      );
    }
  }
  for (const action of manifest.actions) {
    if (!action || typeof action.uid !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(action.uid)) {
      throw new RuntimeError(
        "app_invalid",
        `App ${alias}: action uid ${JSON.stringify(action?.uid)} must be letters, digits, _ or -.`,
      );
    }
  }
  return manifest;
}

export async function readManifest(manifestCode: string, alias: string): Promise<AppManifest> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = await isolate.createContext();
    const script = await isolate.compileScript(`${RECORD_ENV}\n${manifestCode}\n${READ_MANIFEST}`, {
      filename: "comind-app:///manifest.js",
    });
    const json = await script.run(context, { timeout: 2_000, copy: true });
    const raw = parseFromIsolate<Omit<AppManifest, "secretNames"> & { envReads?: unknown }>(
      json,
      4 * 1024 * 1024,
      "The app manifest",
    );
    const vars = raw.vars && typeof raw.vars === "object" && !Array.isArray(raw.vars) ? raw.vars : {};
    const queue = raw.queue && typeof raw.queue === "object" ? raw.queue : {};
    const reads = Array.isArray(raw.envReads) ? raw.envReads : [];
    const secretNames = [
      ...new Set(
        reads.filter((name): name is string => typeof name === "string" && name.startsWith(SECRET_PREFIX)),
      ),
    ].sort();
    return check({ fields: raw.fields ?? [], actions: raw.actions ?? [], vars, queue, secretNames }, alias);
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    throw new RuntimeError(
      "app_invalid",
      `App ${alias}: fields/index.ts or actions/index.ts failed to load: ${(error as Error).message}`,
    );
  } finally {
    isolate.dispose();
  }
}

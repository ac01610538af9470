/**
 * Entry modules of an app composed of several layers (runtime/bundle/layers.ts): fields and
 * actions are merged by name / uid (a later layer overrides an earlier one's properties), settings
 * vars are merged, and for each action uid the logic functions of all layers run in sequence,
 * base first; a precondition holds only when every layer's precondition for it holds; the
 * e-mails of every layer's `__sendNotifications` are all sent.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LayerPackage } from "./layers.ts";

const has = (layer: LayerPackage, path: string) => existsSync(join(layer.dir, path));
const spec = (layer: LayerPackage, path: string) => JSON.stringify(join(layer.dir, path));

/** Runs inside the isolate: one function per uid that calls every layer's function in order. */
const COMBINE = `
function __combine(mods, every) {
  const byUid = {};
  for (const mod of mods) {
    const table = mod && typeof mod === "object" && "default" in mod ? mod.default : mod;
    if (!table || typeof table !== "object") continue;
    for (const uid of Object.keys(table)) if (typeof table[uid] === "function") (byUid[uid] ||= []).push(table[uid]);
  }
  const out = {};
  for (const uid of Object.keys(byUid)) {
    const fns = byUid[uid];
    out[uid] = fns.length === 1 ? fns[0] : every
      ? function (entity) { for (const fn of fns) if (!fn.call(undefined, entity)) return false; return true; }
      : uid === "__sendNotifications"
        ? function (entity) {
            // Every layer's e-mails are sent: one list of all the NotifyContexts they return.
            const all = [];
            for (const fn of fns) {
              const got = fn.call(undefined, entity);
              if (got !== null && got !== undefined) all.push(...(Array.isArray(got) ? got : [got]));
            }
            return all.length ? all : null;
          }
        : function (entity) { for (const fn of fns) fn.call(undefined, entity); };
  }
  return { default: out };
}`;

const MERGE = `
function __merge(lists, key) {
  const order = [], byKey = {};
  for (const list of lists) for (const item of Array.isArray(list) ? list : []) {
    const id = item && item[key];
    if (!(id in byKey)) order.push(id);
    byKey[id] = Object.assign({}, byKey[id], item);
  }
  return order.map((id) => byKey[id]);
}
function __vars(s) { return (s && s.default && s.default.vars) || (s && s.vars) || (s && s.settings && s.settings.vars) || {}; }`;

export function composedLogicEntry(layers: LayerPackage[]): string {
  const lines: string[] = [];
  const logic: string[] = [];
  const pre: string[] = [];
  layers.forEach((layer, i) => {
    if (has(layer, "actions/logic/index.ts")) {
      lines.push(`import * as l${i} from ${spec(layer, "actions/logic/index.ts")};`);
      logic.push(`l${i}`);
    }
    if (has(layer, "actions/logic/preconditions.ts")) {
      lines.push(`import * as p${i} from ${spec(layer, "actions/logic/preconditions.ts")};`);
      pre.push(`p${i}`);
    }
  });
  lines.push(COMBINE);
  lines.push(`export const logic = __combine([${logic.join(", ")}], false);`);
  lines.push(
    pre.length
      ? `export const preconditions = __combine([${pre.join(", ")}], true);`
      : "export const preconditions = undefined;",
  );
  return lines.join("\n");
}

export function composedManifestEntry(layers: LayerPackage[]): string {
  const lines: string[] = [];
  const fields: string[] = [];
  const actions: string[] = [];
  const settings: string[] = [];
  const secrets: string[] = [];
  layers.forEach((layer, i) => {
    // Imported so that each layer's settings/secrets.ts runs with the manifest, which records the
    // secret names it reads (runtime/sandbox/manifest.ts).
    if (has(layer, "settings/secrets.ts")) {
      lines.push(`import * as k${i} from ${spec(layer, "settings/secrets.ts")};`);
      secrets.push(`k${i}`);
    }
    if (has(layer, "fields/index.ts")) {
      lines.push(`import f${i} from ${spec(layer, "fields/index.ts")};`);
      fields.push(`f${i}`);
    }
    if (has(layer, "actions/index.ts")) {
      lines.push(`import a${i} from ${spec(layer, "actions/index.ts")};`);
      actions.push(`a${i}`);
    }
    if (has(layer, "settings/index.ts")) {
      lines.push(`import * as s${i} from ${spec(layer, "settings/index.ts")};`);
      settings.push(`s${i}`);
    }
  });
  lines.push(MERGE);
  lines.push(`export const fields = __merge([${fields.join(", ")}], "name");`);
  lines.push(`export const actions = __merge([${actions.join(", ")}], "uid");`);
  lines.push(`export const secrets = [${secrets.join(", ")}];`);
  lines.push(
    `export const settings = { vars: Object.assign({}, ${settings.map((s) => `__vars(${s})`).join(", ") || "{}"}) };`,
  );
  return lines.join("\n");
}

export function anyLayerHas(layers: LayerPackage[], path: string): boolean {
  return layers.some((layer) => has(layer, path));
}

/**
 * The in-isolate half of running an action: load the app bundle, check the precondition, call
 * the logic function of the action uid, and report the outcome as one JSON string (the only
 * thing returned to the host).
 */
import type { ActionInit } from "./bridge-contract.ts";
import { safeJson } from "./host-call.ts";
import { currentEntity, currentRecords, setCurrentEntity } from "./entity.ts";
import { lastThrowSite } from "./throw-site.ts";

const copyOf = <T>(value: T): T => safeJson.parse(safeJson.stringify(value));

export interface ThrownInfo {
  message: string;
  name?: string;
  stack?: string;
  code?: string;
  isError: boolean;
}

function describeThrown(value: unknown): ThrownInfo {
  try {
    if (value instanceof Error) {
      const code = (value as any).code;
      return {
        message: String(value.message),
        name: String(value.name),
        stack: typeof value.stack === "string" ? value.stack : undefined,
        code: typeof code === "string" ? code : undefined,
        isError: true,
      };
    }
    // `throw { code, message }` (a common pattern in vendor apps): its message, and its code kept.
    const shaped =
      value && typeof value === "object" ? (value as { code?: unknown; message?: unknown }) : null;
    // No stack of its own: the stack of the throw statement that ran last (throw-site.ts).
    const stack = lastThrowSite();
    if (shaped && typeof shaped.message === "string")
      return {
        message: shaped.message,
        code: typeof shaped.code === "string" ? shaped.code : undefined,
        stack,
        isError: false,
      };
    return {
      message: typeof value === "string" ? value : (safeJson.stringify(value) ?? String(value)),
      stack,
      isError: false,
    };
  } catch {
    return { message: "The action threw a value that cannot be shown.", isError: false };
  }
}

function moduleDefault(mod: any): Record<string, unknown> {
  const value = mod && typeof mod === "object" && "default" in mod ? mod.default : mod;
  return value && typeof value === "object" ? value : {};
}

function isThenable(value: any): boolean {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof value.then === "function"
  );
}

/** The ActionLogic key whose NotifyContext is e-mailed after the action commits. */
const NOTIFY_KEY = "__sendNotifications";

const SYNC_ONLY =
  "Action logic must be synchronous: remove async/await (RestApi, Files and ComindServer calls already wait).";

export function createRunner(init: ActionInit, loadApp: () => unknown) {
  let loaded: any = null;
  const app = () => loaded ?? {};

  function precondition(action = init.action): boolean {
    const fn = moduleDefault(app().preconditions)[action];
    if (typeof fn !== "function") return true;
    const allowed = fn.call(undefined, currentEntity());
    if (isThenable(allowed)) throw new Error(SYNC_ONLY);
    return Boolean(allowed);
  }

  /** A mass action is allowed only when the precondition holds for every selected record. */
  function preconditionForAll(): boolean {
    const selected = currentRecords();
    if (!init.records || selected.length < 2) return precondition();
    const first = copyOf(selected[0]);
    try {
      for (const record of selected.slice(1)) {
        setCurrentEntity(copyOf(record));
        if (!precondition()) return false;
      }
    } finally {
      setCurrentEntity(first);
    }
    return precondition();
  }

  function action(): boolean {
    if (init.action === NOTIFY_KEY) return false;
    const fn = moduleDefault(app().logic)[init.action];
    if (typeof fn !== "function") return false;
    const result = fn.call(undefined, currentEntity());
    if (isThenable(result)) throw new Error(SYNC_ONLY);
    return true;
  }

  /** The e-mails `__sendNotifications` asks for (sent by the host after the commit). */
  function notifications(): unknown[] | undefined {
    const fn = moduleDefault(app().logic)[NOTIFY_KEY];
    if (typeof fn !== "function") return undefined;
    const result = fn.call(undefined, currentEntity());
    if (isThenable(result)) throw new Error(SYNC_ONLY);
    if (result === null || result === undefined) return undefined;
    const list = Array.isArray(result) ? result : [result];
    if (list.some((item) => item === null || typeof item !== "object" || Array.isArray(item)))
      throw new Error("__sendNotifications must return a NotifyContext object, an array of them, or null.");
    return list;
  }

  function transitions({
    records,
    actions,
  }: {
    records: Record<string, unknown>[];
    actions: string[];
  }): string[][] {
    return records.map((record) => {
      setCurrentEntity(record);
      return actions.filter((action) => precondition(action));
    });
  }

  /** -> { ok: true, transitions } | { ok: true, allowed: false } | { ok: true, allowed: true, ran, entityJson, notifications? } | { ok: false, error } */
  return function run(): string {
    try {
      loaded = loadApp();
      if (init.transitionsFor)
        return safeJson.stringify({ ok: true, transitions: transitions(init.transitionsFor) });
      if (!preconditionForAll()) return safeJson.stringify({ ok: true, allowed: false });
      const ran = action();
      const notify = notifications();
      const entityJson = safeJson.stringify(currentEntity());
      if (typeof entityJson !== "string") throw new Error("entity must stay a plain object.");
      // A mass action hands back every selected record: the host saves each one's changes.
      const recordsJson = init.records ? safeJson.stringify(currentRecords()) : undefined;
      return safeJson.stringify({
        ok: true,
        allowed: true,
        ran,
        entityJson,
        recordsJson,
        notifications: notify,
      });
    } catch (thrown) {
      return safeJson.stringify({ ok: false, error: describeThrown(thrown) });
    }
  };
}

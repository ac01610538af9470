/**
 * Who a run is for. Every run names one — there is no default caller and no implicit admin — so a
 * new way to start a run must say which kind of caller it serves, and the one rule
 * (actions/authorize-run.ts) decides what that caller may run.
 *
 * - `user`: a person from outside (REST sync and async, mass actions, MCP, the console's re-run).
 *   Checked against the app's grants; `visible: false` actions are refused.
 * - `system`: a trigger the app declares (a schedule, a webhook, incoming e-mail from a sender
 *   who is no user, when the app's settings say `email.unknownSenders: "system"`). It runs as the principal
 *   `system:<name>`, a member of the group of the same name, so an admin grants it rights on a
 *   restricted app like any group's: `comind-runtime access grant HELPDESK system:webhook run`.
 * - `logic`: action logic acting on its own authority (nested `updateAppRecord`, `ComindServer.enqueue`)
 *   for `user`; its reach is the app and its `dependsOn`. With `asUser` (`runAsUser`) the named
 *   user's own grants apply.
 * - `developer`: the CLI's `run` and the test kit on a developer's machine: may fire hidden actions
 *   (to test them), and is checked against grants like a user.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import type { Caller } from "./users.ts";

export const SYSTEM_CALLERS = ["schedule", "webhook", "email"] as const;
export type SystemCallerName = (typeof SYSTEM_CALLERS)[number];

export type RunCaller =
  | { kind: "user"; user: Caller }
  | { kind: "system"; name: SystemCallerName }
  | { kind: "logic"; user: Caller; asUser?: boolean }
  | { kind: "developer"; user: Caller };

/** The group (and id) of a system caller, e.g. `system:webhook`. */
export function systemPrincipal(name: SystemCallerName): string {
  return `system:${name}`;
}

const SYSTEM_CALLER_NAMES: Record<SystemCallerName, string> = {
  schedule: "Schedule",
  webhook: "Webhook",
  email: "E-mail",
};

/** A system caller as `currentUser` sees it: no admin rights, only its own group. */
export function systemUser(name: SystemCallerName, workspace: string): UserInfo {
  const id = systemPrincipal(name);
  void workspace;
  return {
    id,
    email: null,
    name: SYSTEM_CALLER_NAMES[name],
    timeZone: null,
    companyId: null,
    isGlobalAdmin: false,
    isAdmin: false,
    isWorkspaceAdmin: false,
    groups: [id],
    adminOfWorkspaces: [],
  };
}

/** The id kept in run logs and queue rows as "actor". */
export function actorOf(caller: RunCaller): string {
  // A run refused for having no caller is logged too (as "unknown").
  if (caller?.kind === "system") return systemPrincipal(caller.name);
  return typeof caller?.user?.id === "string" ? caller.user.id : "unknown";
}

/** Reads a caller back from a stored queue row (rows from before callers were stored as users). */
export function storedCaller(spec: { caller?: unknown; user?: unknown }): RunCaller {
  const caller = spec.caller as RunCaller | undefined;
  if (caller && typeof caller === "object" && typeof caller.kind === "string") {
    if (caller.kind === "system" && SYSTEM_CALLERS.includes(caller.name)) return caller;
    if (caller.kind !== "system" && caller.user && typeof caller.user.id === "string") return caller;
  }
  // An old row's user is an outside user: checked in full (the safe reading).
  const user = spec.user as Caller | undefined;
  if (user && typeof user.id === "string") return { kind: "user", user };
  return { kind: "user", user: { id: "unknown", isUnauthenticated: true } };
}

/** The developer on their own machine (the CLI's `run`, the test kit): named, never implied. */
export const LOCAL_DEVELOPER: Caller = Object.freeze({
  id: "local-developer",
  name: "Local developer",
  isAdmin: true,
});

/**
 * A developer caller: may fire `visible: false` actions (to test them) and is checked against
 * grants like a user (a non-admin `user` sees `forbidden` where a real user would).
 *
 * @example await runtime.run({ app: "CONTACT", action: "sync_contacts", caller: asDeveloper() });
 */
export function asDeveloper(user: Caller = LOCAL_DEVELOPER): RunCaller {
  return { kind: "developer", user };
}

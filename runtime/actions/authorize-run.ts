/**
 * THE rule for starting a run. Every run — REST sync and async, mass actions, MCP, the console,
 * schedules, webhooks, `ComindServer.enqueue` and nested `updateAppRecord` — is authorized here,
 * when it is queued and again when it runs (runAction calls this before anything else), so rights
 * revoked in between fail the run with `forbidden`.
 *
 * What a run needs: `write` for the base actions that write (add, edit, delete, copy, move,
 * archive), `run` for custom actions, and `write` as well when the caller sends field values to
 * apply (run never implies write). `visible: false` actions are refused to outside users.
 * `startableActions` asks this same function which actions a listing may offer.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import {
  checkAccess,
  type Permission,
  readableFile,
  resolveUser,
  type RunCaller,
  systemUser,
} from "../access/index.ts";
import { isRuntimeError, RuntimeError } from "../errors.ts";
import { fileUidOf } from "../host/index.ts";
import type { AppPermission, DirectoryPort, FilePort } from "../store/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import { BASE_ACTION_UIDS } from "./base-actions.ts";

export interface RunTarget {
  /** Who the caller is and what it may (the directory), which attached files it may read. */
  store: DirectoryPort & FilePort;
  workspace: string;
  app: LoadedApp;
  action: string;
  /** The field values the caller sends with the run (the record's own id is not a value). */
  values?: Record<string, unknown>;
}

/** The permissions a run of `action` needs, given whether the caller sends values to apply. */
export function permissionsFor(action: string, sendsValues: boolean): Permission[] {
  if (BASE_ACTION_UIDS.includes(action)) return ["write"];
  return sendsValues ? ["run", "write"] : ["run"];
}

function sendsValues(values: Record<string, unknown> | undefined): boolean {
  return values !== undefined && values !== null && Object.keys(values).length > 0;
}

/**
 * Resolves the caller and throws `forbidden` unless it may start this run; the answer is the
 * user the logic sees as `currentUser`.
 */
export async function authorizeRun(caller: RunCaller, target: RunTarget): Promise<UserInfo> {
  const { store, workspace, app, action } = target;
  // JavaScript callers get no type error: a run without a caller is refused, never run as anyone.
  if (
    !caller ||
    typeof caller !== "object" ||
    !["user", "system", "logic", "developer"].includes(caller.kind)
  )
    throw new RuntimeError(
      "bad_request",
      'runtime.run needs a `caller`: { kind: "user", user } for a person, or asDeveloper() on a developer\'s machine.',
    );
  const user =
    caller.kind === "system"
      ? systemUser(caller.name, workspace)
      : await resolveUser(store, workspace, caller.user);
  // Logic acts on its own authority inside its reach (its app and dependsOn, checked where it
  // writes); `runAsUser` hands over to that user's own grants.
  if (caller.kind === "logic" && !caller.asUser) return user;
  if (caller.kind === "user" && app.hidden.has(action))
    throw new RuntimeError(
      "forbidden",
      `Action "${action.slice(0, 64)}" of app ${app.alias} is not visible to users (visible: false); only logic, schedules and webhooks can fire it.`,
    );
  for (const permission of permissionsFor(action, sendsValues(target.values)))
    await checkAccess(store, { user, workspace, app: app.alias, permission });
  if (caller.kind === "user") await checkAttachedFiles(store, workspace, user, target.values);
  return user;
}

/**
 * Which of `actions` the caller may start now without sending values: each is put to
 * `authorizeRun` itself, so what a listing offers (the API's `transitions`, the console's buttons)
 * is exactly what a run would be allowed, never a second copy of the rule.
 *
 * @example await startableActions({ kind: "user", user }, { store, workspace, app }, ["edit", "approve"]);
 */
export async function startableActions(
  caller: RunCaller,
  target: Omit<RunTarget, "action" | "values">,
  actions: readonly string[],
): Promise<string[]> {
  const listing = { ...target, store: grantsReadOnce(target.store) };
  const verdicts = await Promise.all(
    actions.map((action) =>
      authorizeRun(caller, { ...listing, action }).then(
        () => true,
        (error: unknown) => {
          if (isRuntimeError(error) && error.code === "forbidden") return false;
          throw error;
        },
      ),
    ),
  );
  return actions.filter((_, i) => verdicts[i]);
}

/**
 * `store` with each app's grants read once for a whole listing: the rule reads them for every
 * action it is asked about, and an app may have dozens. Everything else is the store itself.
 */
function grantsReadOnce(store: DirectoryPort & FilePort): DirectoryPort & FilePort {
  const read = new Map<string, Promise<AppPermission[]>>();
  const permissions = (workspace: string, app?: string) => {
    const key = `${workspace}\n${app ?? ""}`;
    if (!read.has(key)) read.set(key, store.directory.permissions(workspace, app));
    return read.get(key)!;
  };
  const directory = Object.assign(Object.create(store.directory), { permissions });
  return Object.assign(Object.create(store), { directory });
}

/**
 * Files follow their record: an outside caller may attach only files it may read, or attaching a
 * leaked uid to a record of its own app would make the file readable. Unreadable and missing
 * files get the same answer.
 */
async function checkAttachedFiles(
  store: DirectoryPort & FilePort,
  workspace: string,
  user: UserInfo,
  values: Record<string, unknown> | undefined,
): Promise<void> {
  for (const value of Object.values(values ?? {})) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      const uid = (item as { file_uid?: unknown } | null)?.file_uid;
      if (typeof uid !== "string") continue;
      if (!(await readableFile(store, { user, workspace, fileId: fileUidOf(uid) })))
        throw new RuntimeError(
          "validation_error",
          `Attachment file_uid "${uid.slice(0, 64)}" does not exist; upload the file first (POST /api/upload-tus).`,
        );
    }
  }
}

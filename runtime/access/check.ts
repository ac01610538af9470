/**
 * THE access check: may this user read, write or run actions in this app? The REST API, the
 * `runAsUser` argument of ComindServer and (later) the MCP tools all call `checkAccess`.
 *
 * Rules: global and workspace admins may do everything; an app with no permissions configured is
 * open to every signed-in user (as before users and groups existed); once an admin grants any
 * permission on an app (`comind-runtime access grant`), each of read / write / run is allowed only
 * to members of the groups it was granted to. The anonymous reader of an access pass never passes.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { AppPermission, DirectoryPort, Permission } from "../store/index.ts";

export interface AccessRequest {
  user: UserInfo;
  workspace: string;
  app: string;
  permission: Permission;
}

const VERBS: Record<Permission, string> = {
  read: "read records of",
  write: "change records of",
  run: "run actions of",
};

/** The rule itself, over the permissions granted on one app. */
function allowedBy(user: UserInfo, granted: AppPermission[], permission: Permission): boolean {
  if (user.isUnauthenticated) return false;
  if (user.isGlobalAdmin || user.isWorkspaceAdmin) return true;
  if (granted.length === 0) return true;
  const groups = new Set(user.groups.map((group) => group.toLowerCase()));
  return granted.some((entry) => entry.permission === permission && groups.has(entry.group));
}

/** True when the user may; never throws for a "no". */
export async function hasAccess(store: DirectoryPort, request: AccessRequest): Promise<boolean> {
  const { user } = request;
  if (user.isUnauthenticated) return false;
  if (user.isGlobalAdmin || user.isWorkspaceAdmin) return true;
  const granted = await store.directory.permissions(request.workspace, request.app);
  return allowedBy(user, granted, request.permission);
}

/** Which of `apps` the user may `permission` (one store query for all of them). */
export async function appsAllowed(
  store: DirectoryPort,
  request: Omit<AccessRequest, "app"> & { apps: string[] },
): Promise<string[]> {
  const granted = await store.directory.permissions(request.workspace);
  return request.apps.filter((app) =>
    allowedBy(
      request.user,
      granted.filter((entry) => entry.app === app),
      request.permission,
    ),
  );
}

/** Throws `forbidden` (naming the app and what is missing) unless the user may. */
export async function checkAccess(store: DirectoryPort, request: AccessRequest): Promise<void> {
  if (await hasAccess(store, request)) return;
  throw new RuntimeError(
    "forbidden",
    `User ${request.user.id.slice(0, 80)} may not ${VERBS[request.permission]} app ${request.app}; an admin can grant it to a group with \`comind-runtime access grant ${request.app} <group> ${request.permission}\`.`,
  );
}

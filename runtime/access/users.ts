/**
 * Who the caller is, in full: the profile from the store's users (tokens belong to users), the
 * claims of a Bearer JWT (`email`, `name`, `groups`, `zoneinfo`), group memberships and the
 * workspaces the user administers. The result is what `currentUser` shows inside the logic.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { DirectoryPort } from "../store/index.ts";

/** What an authenticator or a CLI flag knows about the caller; the store fills in the rest. */
export interface Caller {
  id: string;
  name?: string;
  email?: string | null;
  timeZone?: string | null;
  companyId?: string | null;
  /** Our first name for global admin (tokens created with --admin). */
  isAdmin?: boolean;
  isGlobalAdmin?: boolean;
  isWorkspaceAdmin?: boolean;
  groups?: string[];
  adminOfWorkspaces?: string[];
  isUnauthenticated?: boolean;
}

/** Already resolved by resolveUser (the REST API resolves once per request). */
export function isResolved(caller: Caller): caller is UserInfo {
  return Array.isArray(caller.groups) && Array.isArray(caller.adminOfWorkspaces);
}

export async function resolveUser(
  store: DirectoryPort,
  workspace: string,
  caller: Caller,
): Promise<UserInfo> {
  if (isResolved(caller)) return caller;
  if (caller.isUnauthenticated) {
    return {
      id: caller.id,
      email: null,
      name: caller.name ?? "Anonymous",
      timeZone: null,
      companyId: null,
      isGlobalAdmin: false,
      isAdmin: false,
      isWorkspaceAdmin: false,
      groups: [],
      adminOfWorkspaces: [],
      isUnauthenticated: true,
    };
  }
  const [row, memberOf, adminOf] = await Promise.all([
    store.directory.findUser(caller.id),
    store.directory.groupsOf(caller.id),
    store.directory.adminWorkspacesOf(caller.id),
  ]);
  const groups = [...new Set([...(caller.groups ?? []).map((g) => String(g).toLowerCase()), ...memberOf])];
  const isGlobalAdmin = Boolean(caller.isGlobalAdmin || caller.isAdmin || row?.isGlobalAdmin);
  const workspaces = [...new Set([...adminOf, ...(caller.adminOfWorkspaces ?? [])])];
  return {
    id: caller.id,
    // The store's profile wins; JWT claims fill in for users the store does not know.
    email: row?.email ?? caller.email ?? null,
    name: row?.name ?? caller.name ?? caller.id,
    timeZone: row?.timeZone ?? caller.timeZone ?? null,
    companyId: row?.companyId ?? caller.companyId ?? null,
    isGlobalAdmin,
    isAdmin: isGlobalAdmin,
    isWorkspaceAdmin:
      isGlobalAdmin ||
      Boolean(caller.isWorkspaceAdmin) ||
      workspaces.some((w) => w.toLowerCase() === workspace.toLowerCase()),
    groups,
    adminOfWorkspaces: workspaces,
  };
}

/** Callers remembered by cachedUserResolver before it starts over (a bound on its memory). */
const USER_CACHE_MAX = 10_000;

/**
 * `resolveUser` that remembers its answer per caller (by content) for `ttlMs`: a user's profile,
 * groups and admin rights are read once per caller per `ttlMs` instead of on every request (three
 * directory reads); a change to them shows within that time, as a revoked token does. The answer
 * is frozen, since requests share it.
 */
export function cachedUserResolver(store: DirectoryPort, ttlMs: number) {
  const answers = new Map<string, { user: UserInfo; until: number }>();
  return async (workspace: string, caller: Caller): Promise<UserInfo> => {
    const key = `${workspace}\n${JSON.stringify(caller)}`;
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && hit.until > now) return hit.user;
    const user = await resolveUser(store, workspace, caller);
    Object.freeze(user.groups);
    Object.freeze(user.adminOfWorkspaces);
    if (answers.size >= USER_CACHE_MAX) answers.clear();
    answers.set(key, { user: Object.freeze(user), until: now + ttlMs });
    return user;
  };
}

/** `runAsUser`: a user of the store, by id or e-mail. */
export async function userForRunAs(
  store: DirectoryPort,
  workspace: string,
  idOrEmail: string,
): Promise<UserInfo> {
  const row = await store.directory.findUser(String(idOrEmail).slice(0, 320));
  if (!row)
    throw new RuntimeError(
      "not_found",
      `runAsUser: user ${String(idOrEmail).slice(0, 80)} does not exist; add it with \`comind-runtime users add\`.`,
    );
  return resolveUser(store, workspace, { id: row.id });
}

/**
 * `currentUser` inside the isolate: the caller's profile (from the store's users, or the JWT
 * claims of a Bearer caller) with the documented checks. Built fresh for every action.
 *
 * @example if (!currentUser.isInGroup("support")) throw "Only support may escalate.";
 */
import type { JsonRecord } from "./bridge-contract.ts";
import { GROUP_PREFIX, META_GROUP_PREFIX } from "./acls.ts";

export interface CurrentUser {
  readonly id: string;
  readonly email: string | null;
  readonly name: string;
  readonly timeZone: string | null;
  readonly companyId: string | null;
  readonly isGlobalAdmin: boolean;
  readonly isWorkspaceAdmin: boolean;
  /** Our name for isGlobalAdmin (kept for apps written against the first version). */
  readonly isAdmin: boolean;
  readonly groups: readonly string[];
  /** Is the user a member of this group (by name, case-insensitive)? */
  isInGroup(groupIdOrName: string): boolean;
  isInAnyOfGroups(groups: readonly string[]): boolean;
  /** Is the user named in a people field (id, e-mail, or an Acls group they belong to)? */
  isInField(fieldName: string, entity?: Record<string, unknown>): boolean;
  /** True for the anonymous reader of an access pass; false for every signed-in user. */
  isDefaultUnAuthUser(): boolean;
  isWorkspaceAdminOf(workspaceId: string): boolean;
}

const lower = (value: unknown) => String(value ?? "").toLowerCase();

export function buildCurrentUser(raw: JsonRecord, currentEntity: () => JsonRecord): CurrentUser {
  const groups = Object.freeze((Array.isArray(raw.groups) ? raw.groups : []).map(String));
  const groupSet = new Set(groups.map(lower));
  const adminOf = new Set((Array.isArray(raw.adminOfWorkspaces) ? raw.adminOfWorkspaces : []).map(lower));
  const isGlobalAdmin = Boolean(raw.isGlobalAdmin ?? raw.isAdmin);
  const isWorkspaceAdmin = Boolean(raw.isWorkspaceAdmin) || isGlobalAdmin;
  const unauthenticated = Boolean(raw.isUnauthenticated);
  const isInGroup = (name: string) => groupSet.has(lower(name));
  const matchesEntry = (entry: unknown): boolean => {
    const text = lower(entry);
    if (text === lower(raw.id) || (raw.email && text === lower(raw.email))) return true;
    if (text.startsWith(GROUP_PREFIX)) return isInGroup(text.slice(GROUP_PREFIX.length));
    if (!text.startsWith(META_GROUP_PREFIX)) return false;
    const meta = text.slice(META_GROUP_PREFIX.length);
    if (meta === "everyone") return !unauthenticated;
    if (meta === "workspace_admins") return isWorkspaceAdmin;
    if (meta === "global_admins") return isGlobalAdmin;
    return false;
  };
  return Object.freeze({
    id: String(raw.id ?? ""),
    email: typeof raw.email === "string" ? raw.email : null,
    name: String(raw.name ?? raw.id ?? ""),
    timeZone: typeof raw.timeZone === "string" ? raw.timeZone : null,
    companyId: typeof raw.companyId === "string" ? raw.companyId : null,
    isGlobalAdmin,
    isWorkspaceAdmin,
    isAdmin: isGlobalAdmin,
    groups,
    isInGroup,
    isInAnyOfGroups: (list: readonly string[]) => Array.isArray(list) && list.some(isInGroup),
    isInField(fieldName: string, entity?: Record<string, unknown>) {
      const value = (entity ?? currentEntity())[fieldName];
      return Array.isArray(value) ? value.some(matchesEntry) : value != null && matchesEntry(value);
    },
    isDefaultUnAuthUser: () => unauthenticated,
    isWorkspaceAdminOf: (workspaceId: string) => isGlobalAdmin || adminOf.has(lower(workspaceId)),
  });
}

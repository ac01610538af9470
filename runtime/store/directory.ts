/**
 * Users, groups, workspace admins, per-app permissions and runtime keys: the same SQL on both
 * engines (written with `?` placeholders; the Postgres store numbers them). Group names and
 * e-mails are kept lower-case so that lookups ignore case.
 */
import { randomBytes } from "node:crypto";
import { RuntimeError } from "../errors.ts";

export type Permission = "read" | "write" | "run";
export const PERMISSIONS: readonly Permission[] = ["read", "write", "run"];

export interface StoredUser {
  id: string;
  email: string | null;
  name: string;
  timeZone: string | null;
  companyId: string | null;
  isGlobalAdmin: boolean;
  createdAt: string;
}

export interface StoredGroup {
  name: string;
  description: string | null;
  members: string[];
}

export interface AppPermission {
  workspace: string;
  app: string;
  group: string;
  permission: Permission;
}

export interface Directory {
  /** Creates the user or updates every given field of an existing one. */
  saveUser(user: Omit<StoredUser, "createdAt"> & { createdAt?: string }): Promise<StoredUser>;
  /** By id, or by e-mail (ignoring case). */
  findUser(idOrEmail: string): Promise<StoredUser | null>;
  listUsers(): Promise<StoredUser[]>;
  saveGroup(name: string, description?: string | null): Promise<void>;
  addGroupMember(group: string, userId: string): Promise<void>;
  listGroups(): Promise<StoredGroup[]>;
  groupsOf(userId: string): Promise<string[]>;
  setWorkspaceAdmin(workspace: string, userId: string, admin: boolean): Promise<void>;
  workspaceAdmins(workspace: string): Promise<StoredUser[]>;
  adminWorkspacesOf(userId: string): Promise<string[]>;
  grant(permission: AppPermission): Promise<void>;
  revoke(permission: AppPermission): Promise<void>;
  /** Permissions given for one app, or for every app of the workspace. */
  permissions(workspace: string, app?: string): Promise<AppPermission[]>;
  /** A random key made once per store and kept (e.g. the access-pass signing key). */
  runtimeKey(name: string): Promise<string>;
  /** The key if it was made already (readers never create one). */
  existingRuntimeKey(name: string): Promise<string | null>;
}

/** Runs one statement with `?` placeholders and returns its rows. */
export type RunSql = (sql: string, params: unknown[]) => Promise<Record<string, any>[]>;

const toUser = (row: Record<string, any>): StoredUser => ({
  id: row.id,
  email: row.email ?? null,
  name: row.name,
  timeZone: row.time_zone ?? null,
  companyId: row.company_id ?? null,
  isGlobalAdmin: Boolean(Number(row.is_global_admin)),
  createdAt: row.created_at,
});

export const normalizeGroup = (name: string) => String(name).trim().toLowerCase();
const normalizeEmail = (email: string | null | undefined) => (email ? email.trim().toLowerCase() : null);

export function createDirectory(run: RunSql): Directory {
  const one = async (sql: string, params: unknown[]) => (await run(sql, params))[0];
  return {
    async saveUser(user) {
      const now = user.createdAt ?? new Date().toISOString();
      const email = normalizeEmail(user.email);
      const owner = email ? await one("SELECT id FROM users WHERE email = ?", [email]) : undefined;
      if (owner && owner.id !== user.id)
        throw new RuntimeError("conflict", `The e-mail ${email} already belongs to user ${owner.id}.`);
      await run(
        `INSERT INTO users (id, email, name, time_zone, company_id, is_global_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, time_zone = excluded.time_zone,
           company_id = excluded.company_id, is_global_admin = excluded.is_global_admin`,
        [
          user.id,
          normalizeEmail(user.email),
          user.name,
          user.timeZone,
          user.companyId,
          user.isGlobalAdmin ? 1 : 0,
          now,
        ],
      );
      return toUser(await one("SELECT * FROM users WHERE id = ?", [user.id]));
    },
    async findUser(idOrEmail) {
      const row =
        (await one("SELECT * FROM users WHERE id = ?", [idOrEmail])) ??
        (await one("SELECT * FROM users WHERE email = ?", [normalizeEmail(idOrEmail)]));
      return row ? toUser(row) : null;
    },
    async listUsers() {
      return (await run("SELECT * FROM users ORDER BY id", [])).map(toUser);
    },
    async saveGroup(name, description = null) {
      await run(
        `INSERT INTO user_groups (name, description, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET description = COALESCE(excluded.description, user_groups.description)`,
        [normalizeGroup(name), description, new Date().toISOString()],
      );
    },
    async addGroupMember(group, userId) {
      await run("INSERT INTO group_members (group_name, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [
        normalizeGroup(group),
        userId,
      ]);
    },
    async listGroups() {
      const groups = await run("SELECT * FROM user_groups ORDER BY name", []);
      const members = await run("SELECT * FROM group_members ORDER BY user_id", []);
      return groups.map((row) => ({
        name: row.name,
        description: row.description ?? null,
        members: members.filter((m) => m.group_name === row.name).map((m) => m.user_id),
      }));
    },
    async groupsOf(userId) {
      const rows = await run("SELECT group_name FROM group_members WHERE user_id = ? ORDER BY group_name", [
        userId,
      ]);
      return rows.map((row) => row.group_name);
    },
    async setWorkspaceAdmin(workspace, userId, admin) {
      if (admin)
        await run("INSERT INTO workspace_admins (workspace, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [
          workspace,
          userId,
        ]);
      else await run("DELETE FROM workspace_admins WHERE workspace = ? AND user_id = ?", [workspace, userId]);
    },
    async workspaceAdmins(workspace) {
      const rows = await run(
        "SELECT u.* FROM users u JOIN workspace_admins w ON w.user_id = u.id WHERE w.workspace = ? ORDER BY u.id",
        [workspace],
      );
      return rows.map(toUser);
    },
    async adminWorkspacesOf(userId) {
      const rows = await run("SELECT workspace FROM workspace_admins WHERE user_id = ? ORDER BY workspace", [
        userId,
      ]);
      return rows.map((row) => row.workspace);
    },
    async grant(p) {
      await run(
        "INSERT INTO app_permissions (workspace, app, group_name, permission) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [p.workspace, p.app, normalizeGroup(p.group), p.permission],
      );
    },
    async revoke(p) {
      await run(
        "DELETE FROM app_permissions WHERE workspace = ? AND app = ? AND group_name = ? AND permission = ?",
        [p.workspace, p.app, normalizeGroup(p.group), p.permission],
      );
    },
    async permissions(workspace, app) {
      const rows = app
        ? await run(
            "SELECT * FROM app_permissions WHERE workspace = ? AND app = ? ORDER BY group_name, permission",
            [workspace, app],
          )
        : await run(
            "SELECT * FROM app_permissions WHERE workspace = ? ORDER BY app, group_name, permission",
            [workspace],
          );
      return rows.map((row) => ({
        workspace: row.workspace,
        app: row.app,
        group: row.group_name,
        permission: row.permission,
      }));
    },
    async existingRuntimeKey(name) {
      return (await one("SELECT value FROM runtime_keys WHERE name = ?", [name]))?.value ?? null;
    },
    async runtimeKey(name) {
      await run(
        "INSERT INTO runtime_keys (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [name, randomBytes(32).toString("base64url"), new Date().toISOString()],
      );
      return (await one("SELECT value FROM runtime_keys WHERE name = ?", [name])).value;
    },
  };
}

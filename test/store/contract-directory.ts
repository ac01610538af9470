/**
 * Contract: users, groups, workspace admins, per-app permissions and runtime keys (the directory
 * behind currentUser and the access check), and skipHistory writes. Ids are unique per run: the
 * directory is shared by every workspace of a store.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { changeSet, insert, newWorkspace } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export function directoryCases(ctx: ContractContext): void {
  describe("directory", () => {
    it("saves, updates and finds users by id or e-mail (ignoring case)", async () => {
      const dir = ctx.store().directory;
      const id = unique("ann");
      const saved = await dir.saveUser({
        id,
        email: `${id}@Acme.TEST`,
        name: "Ann",
        timeZone: "Europe/Berlin",
        companyId: "acme",
        isGlobalAdmin: false,
      });
      expect(saved).toMatchObject({ id, email: `${id}@acme.test`, isGlobalAdmin: false });
      expect((await dir.findUser(`${id.toUpperCase()}@ACME.test`))?.id).toBe(id);
      await dir.saveUser({ ...saved, name: "Ann B.", isGlobalAdmin: true });
      expect(await dir.findUser(id)).toMatchObject({
        name: "Ann B.",
        isGlobalAdmin: true,
        createdAt: saved.createdAt,
      });
      expect(await dir.findUser(unique("nobody"))).toBeNull();
      expect((await dir.listUsers()).some((user) => user.id === id)).toBe(true);
    });

    it("refuses a second user with the same e-mail", async () => {
      const dir = ctx.store().directory;
      const email = `${unique("dup")}@acme.test`;
      await dir.saveUser({
        id: unique("a"),
        email,
        name: "A",
        timeZone: null,
        companyId: null,
        isGlobalAdmin: false,
      });
      await expect(
        dir.saveUser({
          id: unique("b"),
          email,
          name: "B",
          timeZone: null,
          companyId: null,
          isGlobalAdmin: false,
        }),
      ).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/already belongs to user a-/),
      });
    });

    it("keeps group memberships (group names ignore case; adding twice is harmless)", async () => {
      const dir = ctx.store().directory;
      const id = unique("gus");
      const group = unique("Support");
      await dir.saveUser({
        id,
        email: null,
        name: "Gus",
        timeZone: null,
        companyId: null,
        isGlobalAdmin: false,
      });
      await dir.saveGroup(group, "first line");
      await dir.addGroupMember(group.toUpperCase(), id);
      await dir.addGroupMember(group, id);
      expect(await dir.groupsOf(id)).toEqual([group.toLowerCase()]);
      const listed = (await dir.listGroups()).find((g) => g.name === group.toLowerCase());
      expect(listed).toEqual({ name: group.toLowerCase(), description: "first line", members: [id] });
      await expect(dir.addGroupMember(unique("nogroup"), id)).rejects.toThrow();
    });

    it("tracks workspace admins per workspace", async () => {
      const dir = ctx.store().directory;
      const ws = newWorkspace();
      const id = unique("wa");
      await dir.saveUser({
        id,
        email: null,
        name: "Wa",
        timeZone: null,
        companyId: null,
        isGlobalAdmin: false,
      });
      await dir.setWorkspaceAdmin(ws, id, true);
      await dir.setWorkspaceAdmin(ws, id, true);
      expect((await dir.workspaceAdmins(ws)).map((u) => u.id)).toEqual([id]);
      expect(await dir.adminWorkspacesOf(id)).toEqual([ws]);
      expect(await dir.workspaceAdmins(newWorkspace())).toEqual([]);
      await dir.setWorkspaceAdmin(ws, id, false);
      expect(await dir.workspaceAdmins(ws)).toEqual([]);
    });

    it("grants and revokes per-app permissions to groups", async () => {
      const dir = ctx.store().directory;
      const ws = newWorkspace();
      const group = unique("ops");
      await dir.saveGroup(group);
      await dir.grant({ workspace: ws, app: "HELPDESK", group, permission: "read" });
      await dir.grant({ workspace: ws, app: "HELPDESK", group, permission: "run" });
      await dir.grant({ workspace: ws, app: "HELPDESK", group, permission: "run" });
      await dir.grant({ workspace: ws, app: "OTHER", group, permission: "write" });
      expect((await dir.permissions(ws, "HELPDESK")).map((p) => p.permission)).toEqual(["read", "run"]);
      expect(await dir.permissions(ws)).toHaveLength(3);
      await dir.revoke({ workspace: ws, app: "HELPDESK", group, permission: "read" });
      expect(await dir.permissions(ws, "HELPDESK")).toEqual([
        { workspace: ws, app: "HELPDESK", group: group.toLowerCase(), permission: "run" },
      ]);
      await expect(
        dir.grant({ workspace: ws, app: "X", group: unique("missing"), permission: "read" }),
      ).rejects.toThrow();
    });

    it("makes a runtime key once and keeps it", async () => {
      const dir = ctx.store().directory;
      const name = unique("key");
      expect(await dir.existingRuntimeKey(name)).toBeNull();
      const first = await dir.runtimeKey(name);
      expect(await dir.existingRuntimeKey(name)).toBe(first);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(await dir.runtimeKey(name)).toBe(first);
      expect(await dir.runtimeKey(unique("key"))).not.toBe(first);
    });
  });

  describe("writes that skip history", () => {
    it("applies the write but adds no history entry", async () => {
      const store = ctx.store();
      const ws = newWorkspace();
      const quiet = { ...insert("QUIET", { title: "q" }), skipHistory: true };
      const loud = insert("QUIET", { title: "l" });
      await store.commit(changeSet(ws, [quiet, loud]));
      expect(await store.getRecord(ws, quiet.id)).not.toBeNull();
      expect(await store.history(ws, quiet.id)).toEqual([]);
      expect(await store.history(ws, loud.id)).toHaveLength(1);
    });
  });
}

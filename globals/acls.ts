/**
 * `ComindServer.Acls`: entries for people fields (`assignees_list`, `peoplelist`, `person`) that
 * stand for a whole group instead of one user. `currentUser.isInField()` understands them.
 *
 * Meta groups: `everyone` (every signed-in user), `workspace_admins`, `global_admins`.
 *
 * @example entity.assignees_list = [ComindServer.Acls.group("support"), "u-42"];
 */
export const GROUP_PREFIX = "group:";
export const META_GROUP_PREFIX = "metagroup:";

function requireName(name: unknown, caller: string): string {
  if (typeof name !== "string" || name.trim() === "")
    throw new TypeError(`Acls.${caller}: pass a group name.`);
  return name.trim();
}

export const Acls = Object.freeze({
  group: (name: string): string => GROUP_PREFIX + requireName(name, "group"),
  metaGroup: (name: string): string => META_GROUP_PREFIX + requireName(name, "metaGroup"),
});

/**
 * `users add|list`, `groups add|add-member|list` and `access grant|revoke|list`: the users and
 * groups `currentUser` is built from, and which groups may read / write / run each app.
 *
 * @example
 *   comind-runtime users add ann --email ann@acme.test --name "Ann" --time-zone Europe/Berlin
 *   comind-runtime groups add-member support ann
 *   comind-runtime access grant HELPDESK support read write run
 */
import { type Command, Option } from "commander";
import { appAliasKey } from "../app-alias.ts";
import { PERMISSIONS, type Permission } from "../store/index.ts";
import type { Store } from "../store/index.ts";
import { withHelp } from "./help.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { UsageError, writeJson, writeOut } from "./output.ts";
import { formatTable } from "./table.ts";

type Flags = StoreFlags & { json?: boolean; workspace: string };

/** Opens the store, runs `work`, prints its result (JSON with --json, else `text(result)`). */
async function withStore<T>(flags: Flags, work: (store: Store) => Promise<T>, text: (result: T) => string) {
  const { store, cleanup } = await openStoreFrom(flags, "./data");
  try {
    const result = await work(store);
    if (flags.json) await writeJson(result);
    else await writeOut(text(result));
  } finally {
    await cleanup();
  }
}

function command(parent: Command, name: string, description: string): Command {
  return addStoreOptions(parent.command(name).description(description)).addOption(
    new Option("--workspace <alias>", "workspace").env("COMIND_WORKSPACE").default("DEMO"),
  );
}

/** The example in each command's --help (the Environment and Exit codes sections come from withHelp). */
const EXAMPLES: Record<string, string> = {
  users: "npx comind-runtime users add ann --email ann@acme.test --name Ann",
  "users add": "npx comind-runtime users add ann --email ann@acme.test --name Ann --time-zone Europe/Berlin",
  "users list": "npx comind-runtime users list --json",
  groups: "npx comind-runtime groups add support",
  "groups add": "npx comind-runtime groups add support --description 'first-line support'",
  "groups add-member": "npx comind-runtime groups add-member support ann",
  "groups list": "npx comind-runtime groups list",
  access: "npx comind-runtime access grant HELPDESK support read write run",
  "access grant": "npx comind-runtime access grant HELPDESK support read write run",
  "access revoke": "npx comind-runtime access revoke HELPDESK support write",
  "access list": "npx comind-runtime access list HELPDESK",
};

function permissionsOf(values: string[]): Permission[] {
  for (const value of values)
    if (!PERMISSIONS.includes(value as Permission))
      throw new UsageError(`Unknown permission "${value}": use read, write or run.`);
  return values as Permission[];
}

function registerUsers(program: Command): void {
  const users = program.command("users").description("users that tokens and currentUser belong to");
  command(users, "add", "add a user, or update the given fields of an existing one")
    .argument("<id>", "user id")
    .option("--email <email>")
    .option("--name <name>")
    .option("--time-zone <zone>", "IANA time zone, e.g. Europe/Berlin")
    .option("--company <id>", "company id")
    .option("--global-admin", "admin of every workspace and app")
    .option("--workspace-admin", "admin of --workspace")
    .action(async (id: string, flags: Flags & Record<string, string | boolean | undefined>) => {
      const zone = flags.timeZone as string | undefined;
      if (zone && !Intl.supportedValuesOf("timeZone").includes(zone) && zone !== "UTC")
        throw new UsageError(`Unknown time zone "${zone}": use an IANA name such as Europe/Berlin.`);
      await withStore(
        flags,
        async (store) => {
          const existing = await store.directory.findUser(id);
          const user = await store.directory.saveUser({
            id,
            email: (flags.email as string) ?? existing?.email ?? null,
            name: (flags.name as string) ?? existing?.name ?? id,
            timeZone: zone ?? existing?.timeZone ?? null,
            companyId: (flags.company as string) ?? existing?.companyId ?? null,
            isGlobalAdmin: Boolean(flags.globalAdmin) || Boolean(existing?.isGlobalAdmin),
          });
          if (flags.workspaceAdmin) await store.directory.setWorkspaceAdmin(flags.workspace, id, true);
          return user;
        },
        (user) => `user ${user.id} saved`,
      );
    });
  command(users, "list", "list users").action(async (flags: Flags) => {
    await withStore(
      flags,
      async (store) => {
        const list = await store.directory.listUsers();
        return Promise.all(
          list.map(async (user) => ({
            ...user,
            groups: await store.directory.groupsOf(user.id),
            adminOfWorkspaces: await store.directory.adminWorkspacesOf(user.id),
          })),
        );
      },
      (list) =>
        list.length
          ? formatTable(
              ["ID", "EMAIL", "NAME", "GROUPS", "ADMIN OF"],
              list.map((u) => [
                u.id,
                u.email ?? "-",
                u.name,
                u.groups.join(",") || "-",
                u.isGlobalAdmin ? "every workspace" : u.adminOfWorkspaces.join(",") || "-",
              ]),
            )
          : "(no users)",
    );
  });
}

function registerGroups(program: Command): void {
  const groups = program.command("groups").description("groups of users (permissions are given to groups)");
  command(groups, "add", "add a group")
    .argument("<name>", "group name (case-insensitive)")
    .option("--description <text>")
    .action(async (name: string, flags: Flags & { description?: string }) => {
      await withStore(
        flags,
        async (store) => {
          await store.directory.saveGroup(name, flags.description ?? null);
          return { group: name.toLowerCase() };
        },
        (r) => `group ${r.group} saved`,
      );
    });
  command(groups, "add-member", "add a user to a group")
    .argument("<group>")
    .argument("<user>", "user id or e-mail")
    .action(async (group: string, userRef: string, flags: Flags) => {
      await withStore(
        flags,
        async (store) => {
          const user = await store.directory.findUser(userRef);
          if (!user) throw new UsageError(`User ${userRef} does not exist; add it with \`users add\` first.`);
          const known = (await store.directory.listGroups()).some((g) => g.name === group.toLowerCase());
          if (!known)
            throw new UsageError(`Group ${group} does not exist; add it with \`groups add\` first.`);
          await store.directory.addGroupMember(group, user.id);
          return { group: group.toLowerCase(), user: user.id };
        },
        (r) => `${r.user} is in group ${r.group}`,
      );
    });
  command(groups, "list", "list groups and their members").action(async (flags: Flags) => {
    await withStore(
      flags,
      (store) => store.directory.listGroups(),
      (list) => list.map((g) => `${g.name}\t${g.members.join(",") || "-"}`).join("\n") || "(no groups)",
    );
  });
}

function registerAccess(program: Command): void {
  const access = program
    .command("access")
    .description(
      "which groups may read, write or run actions in an app (none configured = every signed-in user)",
    );
  for (const verb of ["grant", "revoke"] as const) {
    command(access, verb, `${verb} permissions on an app to a group`)
      .argument("<app>", "app alias")
      .argument("<group>")
      .argument("<permissions...>", "read, write and/or run")
      .action(async (app: string, group: string, permissions: string[], flags: Flags) => {
        const list = permissionsOf(permissions);
        await withStore(
          flags,
          async (store) => {
            if (
              verb === "grant" &&
              !(await store.directory.listGroups()).some((g) => g.name === group.toLowerCase())
            )
              throw new UsageError(`Group ${group} does not exist; add it with \`groups add\` first.`);
            for (const permission of list) {
              const entry = { workspace: flags.workspace, app: appAliasKey(app), group, permission };
              await (verb === "grant" ? store.directory.grant(entry) : store.directory.revoke(entry));
            }
            return store.directory.permissions(flags.workspace, appAliasKey(app));
          },
          (now) =>
            now.map((p) => `${p.app}\t${p.group}\t${p.permission}`).join("\n") ||
            `${app}: open to every signed-in user`,
        );
      });
  }
  command(access, "list", "list the permissions of every app (or one)")
    .argument("[app]", "app alias")
    .action(async (app: string | undefined, flags: Flags) => {
      await withStore(
        flags,
        (store) =>
          store.directory.permissions(flags.workspace, app === undefined ? undefined : appAliasKey(app)),
        (now) =>
          now.map((p) => `${p.app}\t${p.group}\t${p.permission}`).join("\n") ||
          "(nothing configured: every signed-in user may do everything)",
      );
    });
}

export function registerDirectory(program: Command): void {
  registerUsers(program);
  registerGroups(program);
  registerAccess(program);
  for (const parent of program.commands.filter((c) => ["users", "groups", "access"].includes(c.name()))) {
    withHelp(parent, {
      exitCodes: { 2: "no subcommand given (this help is shown)" },
      examples: [EXAMPLES[parent.name()]],
    });
    for (const sub of parent.commands)
      withHelp(sub, { examples: [EXAMPLES[`${parent.name()} ${sub.name()}`] ?? EXAMPLES[parent.name()]] });
  }
}

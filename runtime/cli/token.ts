/** `comind-runtime token create <user> [--admin]`: an API token, printed once, stored hashed. */
import type { Command } from "commander";
import { createToken } from "../server/index.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { writeJson, writeOut } from "./output.ts";

export function registerToken(program: Command): void {
  const token = program.command("token").description("manage API tokens");
  addStoreOptions(
    token
      .command("create")
      .description("create a token for a user (shown once)")
      .argument("<user>", "user id"),
  )
    .option("--name <name>", "display name of the user")
    .option("--admin", "the user is an admin")
    .action(async (user: string, flags: StoreFlags & { name?: string; admin?: boolean; json?: boolean }) => {
      const { store, cleanup } = await openStoreFrom(flags, "./data");
      try {
        const value = await createToken(store, { id: user, name: flags.name, isAdmin: flags.admin });
        if (flags.json) await writeJson({ token: value });
        else
          await writeOut(
            `${value}\nUse it as: Authorization: CMW_AUTH_CODE ${value}\n(It is not shown again; only its hash is stored.)`,
          );
      } finally {
        await cleanup();
      }
    });
}

/**
 * `comind-runtime token create|list|revoke`: API tokens for `Authorization: CMW_AUTH_CODE <token>`.
 * A token is printed once and stored as a SHA-256 hash; `list` shows ids and users, never hashes.
 */
import type { Command } from "commander";
import { createToken } from "../server/index.ts";
import { withHelp } from "./help.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { EXIT, writeJson, writeOut } from "./output.ts";

type TokenFlags = StoreFlags & { json?: boolean };

const STORE_EXIT_CODES = { 0: "success", 1: "the store cannot be opened", 2: "bad usage" };

export function registerToken(program: Command): void {
  const token = program.command("token").description("manage API tokens (create, list, revoke)");
  withHelp(token, {
    exitCodes: { 2: "no subcommand given (this help is shown)" },
    examples: ["npx comind-runtime token create admin --admin", "npx comind-runtime token list"],
  });

  const create = addStoreOptions(
    token
      .command("create")
      .description("create a token for a user (shown once)")
      .argument("<user>", "user id"),
  )
    .option("--name <name>", "display name of the user")
    .option("--admin", "the user is an admin");
  withHelp(create, {
    exitCodes: STORE_EXIT_CODES,
    examples: ["npx comind-runtime token create admin --admin --data ./data"],
  });
  create.action(async (user: string, flags: TokenFlags & { name?: string; admin?: boolean }) => {
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

  const list = addStoreOptions(token.command("list").description("list tokens: id, user, admin, created"));
  withHelp(list, { exitCodes: STORE_EXIT_CODES, examples: ["npx comind-runtime token list --json"] });
  list.action(async (flags: TokenFlags) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const tokens = (await store.listTokens()).map(({ tokenHash: _hash, ...shown }) => shown);
      if (flags.json) await writeJson(tokens);
      else
        await writeOut(
          tokens.length
            ? tokens
                .map((t) => `${t.id}  ${t.userId}${t.isAdmin ? " (admin)" : ""}  created ${t.createdAt}`)
                .join("\n")
            : "No tokens in this store; create one with `comind-runtime token create <user>`.",
        );
    } finally {
      await cleanup();
    }
  });

  const revoke = addStoreOptions(
    token
      .command("revoke")
      .description("delete a token by its id (from `token list`)")
      .argument("<id>", "token id"),
  );
  withHelp(revoke, {
    exitCodes: { 0: "revoked", 1: "no token with this id", 2: "bad usage" },
    examples: ["npx comind-runtime token revoke 6f1c2e9a-…"],
  });
  revoke.action(async (id: string, flags: TokenFlags) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const deleted = await store.deleteToken(id);
      if (flags.json) await writeJson({ ok: deleted, id });
      else await writeOut(deleted ? `Revoked token ${id}.` : `No token with id ${id}; see \`token list\`.`);
      process.exitCode = deleted ? EXIT.ok : EXIT.failed;
    } finally {
      await cleanup();
    }
  });
}

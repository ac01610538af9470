/**
 * `comind-runtime token create|list|revoke`: API tokens for `Authorization: CMW_AUTH_CODE <token>`.
 * A token is printed once and stored as a SHA-256 hash; `list` shows ids, users and labels, never
 * hashes. `--label` names the token ("laptop"); `--name` is the user's display name (a new user).
 */
import type { Command } from "commander";
import { createToken } from "../server/index.ts";
import { withHelp } from "./help.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { EXIT, UsageError, writeJson, writeOut } from "./output.ts";
import { formatTable } from "./table.ts";

type TokenFlags = StoreFlags & { json?: boolean };

const STORE_EXIT_CODES = { 0: "success", 1: "the store cannot be opened", 2: "bad usage" };
const MAX_LABEL = 100;

function labelOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const label = value.trim();
  if (!label || label.length > MAX_LABEL || /[\p{Cc}]/u.test(label))
    throw new UsageError(
      `--label must be 1 to ${MAX_LABEL} printable characters saying what the token is for, e.g. --label laptop.`,
    );
  return label;
}

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
    .option("--label <label>", 'what the token is for, shown by `token list` (e.g. "laptop", "ci")')
    .option(
      "--name <name>",
      "display name of the user when the user is new (not a label of the token: use --label)",
    )
    .option("--admin", "the user is an admin");
  withHelp(create, {
    exitCodes: STORE_EXIT_CODES,
    examples: ["npx comind-runtime token create admin --admin --label laptop --data ./data"],
  });
  create.action(
    async (user: string, flags: TokenFlags & { name?: string; admin?: boolean; label?: string }) => {
      const label = labelOf(flags.label);
      const { store, cleanup } = await openStoreFrom(flags, "./data");
      try {
        const value = await createToken(store, { id: user, name: flags.name, isAdmin: flags.admin, label });
        if (flags.json) await writeJson({ token: value, label: label ?? null });
        else
          await writeOut(
            `${value}\nUse it as: Authorization: CMW_AUTH_CODE ${value}\n(It is not shown again; only its hash is stored.)`,
          );
      } finally {
        await cleanup();
      }
    },
  );

  const list = addStoreOptions(
    token.command("list").description("list tokens: id, user, label, admin, created (never the token)"),
  );
  withHelp(list, { exitCodes: STORE_EXIT_CODES, examples: ["npx comind-runtime token list --json"] });
  list.action(async (flags: TokenFlags) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const tokens = (await store.listTokens()).map(({ tokenHash: _hash, ...shown }) => shown);
      if (flags.json) await writeJson(tokens);
      else
        await writeOut(
          tokens.length
            ? formatTable(
                ["ID", "USER", "LABEL", "ADMIN", "CREATED"],
                tokens.map((t) => [t.id, t.userId, t.label ?? "-", t.isAdmin ? "yes" : "no", t.createdAt]),
              )
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

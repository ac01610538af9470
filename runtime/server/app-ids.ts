/**
 * Stable app ids (kept by the store, made on first use) and the `/api/aid/{APP}` lookup that
 * accepts an app's alias or its id.
 */
import type { LoadedApp } from "../actions/index.ts";
import { RuntimeError } from "../errors.ts";
import type { UserInfo } from "../../globals/bridge-contract.ts";
import { installedAppsNote, type ServerContext } from "./context.ts";

const cache = new WeakMap<ServerContext, Record<string, string>>();

/** alias -> id for every installed app (apps installed later get theirs on the next call). */
export async function appIds(ctx: ServerContext): Promise<Record<string, string>> {
  const known = cache.get(ctx) ?? {};
  const missing = [...ctx.runtime.apps.keys()].filter((alias) => !(alias in known));
  if (missing.length === 0) return known;
  const merged = { ...known, ...(await ctx.keys.ensureAppIds(ctx.workspace, missing)) };
  cache.set(ctx, merged);
  return merged;
}

/** An unknown alias or id is not_found listing the installed apps `user` may read (context.ts). */
export async function appByAliasOrId(
  ctx: ServerContext,
  aliasOrId: string,
  user: UserInfo,
): Promise<LoadedApp> {
  const byAlias = ctx.runtime.apps.get(aliasOrId);
  if (byAlias) return byAlias;
  const ids = await appIds(ctx);
  const alias = Object.keys(ids).find((key) => ids[key].toLowerCase() === aliasOrId.toLowerCase());
  const app = alias ? ctx.runtime.apps.get(alias) : undefined;
  if (!app)
    throw new RuntimeError(
      "not_found",
      `No app with alias or id "${aliasOrId.slice(0, 60)}" in workspace ${ctx.workspace}${await installedAppsNote(ctx, user)}; see /api/projects/${ctx.workspace}!WORKSPACE.`,
    );
  return app;
}

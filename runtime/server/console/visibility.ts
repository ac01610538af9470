/**
 * What a console user may see: admins everything; other users the apps they may use and only
 * their own runs. (With no access rules configured every signed-in user may use every app.)
 */
import { maySeeRun } from "../../access/index.ts";
import type { UserInfo as CurrentUser } from "../../../globals/bridge-contract.ts";
import type { LoadedApp } from "../../actions/index.ts";
import type { ActionRunLog } from "../../store/index.ts";
import { readableApps, type ServerContext } from "../context.ts";

/** The apps whose records the user may read (the one access check of runtime/access). */
export async function visibleApps(ctx: ServerContext, user: CurrentUser): Promise<LoadedApp[]> {
  const readable = new Set(await readableApps(ctx, user));
  return [...ctx.runtime.apps.values()].filter((app) => readable.has(app.alias));
}

export function canSeeRun(user: CurrentUser, run: ActionRunLog): boolean {
  return maySeeRun(user, run.actor);
}

/**
 * What a console user may see: admins everything; other users the apps they may use and only
 * their own runs. (With no access rules configured every signed-in user may use every app.)
 */
import type { CurrentUser } from "../../../globals/app-types.ts";
import type { LoadedApp } from "../../actions/index.ts";
import type { ActionRunLog } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";

export function visibleApps(ctx: ServerContext, _user: CurrentUser): LoadedApp[] {
  return [...ctx.runtime.apps.values()];
}

export function canSeeRun(user: CurrentUser, run: ActionRunLog): boolean {
  return Boolean(user.isAdmin) || run.actor === user.id;
}

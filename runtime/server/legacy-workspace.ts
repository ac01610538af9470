/**
 * GET /api/projects/{spec} as older Comind clients call it: `DEMO!WORKSPACE`, `DEMO!BLA` (the part
 * after `!` is a placeholder they do not read back), `!BLA` or `!DEMO` (no workspace before the
 * `!`: the workspace this server serves; a server serves one) and a bare `DEMO`; and the keys a
 * C# client reads from the answer (`current_user_id`, `workspace_users`, `workspace_details`).
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import { checkWorkspace, type ServerContext } from "./context.ts";

/** Checks the workspace a projects spec names (404 for another workspace). */
export function checkProjectSpec(ctx: ServerContext, spec: string): void {
  const workspace = spec.includes("!") ? spec.slice(0, spec.indexOf("!")) : spec;
  if (workspace.trim() === "" && !spec.includes("!"))
    throw new RuntimeError("bad_request", 'Use "<WORKSPACE>!WORKSPACE", e.g. /api/projects/DEMO!WORKSPACE.');
  if (workspace !== "") checkWorkspace(ctx, workspace);
}

/**
 * The caller's id, the workspace's users (to callers who may read one of its apps: the people
 * of a workspace are no business of an outsider's) and its details.
 */
export async function legacyWorkspaceKeys(ctx: ServerContext, user: UserInfo, readable: string[]) {
  const users = readable.length > 0 ? await ctx.directory.directory.listUsers() : [];
  return {
    current_user_id: user.id,
    workspace_users: users.map((member) => ({ id: member.id, name: member.name })),
    workspace_details: { alias: ctx.workspace, title: ctx.workspace, company_title: ctx.workspace },
  };
}

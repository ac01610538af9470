/**
 * The workspace, app and record a tool names, each checked: a workspace this server does not serve
 * and an app the caller may not read are errors, a record is found by its slug (or id) and read
 * only when its app is readable.
 */
import { recordByIdOrRef } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import type { StoredRecord } from "../../store/index.ts";
import { appByAliasFor, checkRead, checkWorkspace, readableApps, type ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";

/** The workspace argument, when given, must be the one this server serves. */
export function servedWorkspace(ctx: ServerContext, workspace: string | undefined): void {
  if (workspace !== undefined) checkWorkspace(ctx, workspace);
}

/** An app the caller may read. */
export async function readableApp(ctx: ServerContext, caller: Caller, alias: string) {
  const app = await appByAliasFor(ctx, alias, caller.user);
  await checkRead(ctx, caller.user, app.alias);
  return app;
}

/** An optional app named by a tool (the caller must be able to read it) and every app the caller may read. */
export async function readScope(ctx: ServerContext, caller: Caller, app: string | undefined) {
  const alias = app ? (await readableApp(ctx, caller, app)).alias : undefined;
  return { alias, readable: new Set(await readableApps(ctx, caller.user)) };
}

/** The record a reference (`DEMO/HELPDESK12`, or a record id) names, if the caller may read it. */
export async function recordByReference(
  ctx: ServerContext,
  caller: Caller,
  reference: string,
): Promise<StoredRecord> {
  const record = await recordByIdOrRef(ctx.records, ctx.workspace, ctx.runtime.apps.keys(), reference);
  if (!record || !ctx.runtime.apps.has(record.app))
    throw new RuntimeError(
      "not_found",
      `No record ${reference.slice(0, 100)} in workspace ${ctx.workspace}; name records by their slug, e.g. ${ctx.workspace}/APP123 (list_records shows each record's slug).`,
    );
  await checkRead(ctx, caller.user, record.app);
  return record;
}

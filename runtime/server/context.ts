/**
 * What every route needs: the action runtime, the store's ports the routes read (one field per
 * port of runtime/store/ports.ts, so a route's reads are typed by the port it names), the served
 * workspace, limits. The whole Store is handed over only where the server is assembled (index.ts).
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import { appsAllowed, type Caller, checkAccess } from "../access/index.ts";
import type { LoadedApp } from "../actions/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import { RuntimeError } from "../errors.ts";
import type { Queue } from "../queue/index.ts";
import type {
  DirectoryPort,
  FilePort,
  HistoryPort,
  KeyPort,
  LifecyclePort,
  RecordPort,
  RunPort,
} from "../store/index.ts";

export interface ServerContext {
  runtime: ActionRuntime;
  /** Records: reads, and the commit of an upload's file. */
  records: RecordPort;
  /** The field diffs of commits (history routes, the console). */
  history: HistoryPort;
  /** The run log and commit marks (GET /api/runs, the run console). */
  runs: RunPort;
  /** Stored files, with the directory the file rule (access/files.ts) reads beside them. */
  files: FilePort & DirectoryPort;
  /** Stable app ids. */
  keys: KeyPort;
  /** Users, groups and permissions: the access check, access passes. */
  directory: DirectoryPort;
  /** Which engine the store runs on (admin info). */
  storeKind: LifecyclePort["kind"];
  workspace: string;
  requestTimeoutMs: number;
  dataDir: string;
  /**
   * The job queue as the routes read it (GET /api/runs, webhook deliveries); runs are queued
   * through the runtime (`runtime.enqueue`). Absent = those answer queue_unavailable.
   */
  queue?: Queue;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The caller, resolved once per request (profile, groups, admin rights). */
    user: UserInfo;
    /**
     * The caller as its credential says (token or JWT claims), before the store's groups are added:
     * what a queued run keeps, so its rights are read from the store again when it runs.
     */
    caller: Caller;
    deadline: number;
  }
}

export function checkWorkspace(ctx: ServerContext, workspace: string): void {
  if (workspace.toUpperCase() !== ctx.workspace.toUpperCase()) {
    throw new RuntimeError(
      "not_found",
      `Workspace ${workspace.slice(0, 40)} does not exist here (this server serves ${ctx.workspace}).`,
    );
  }
}

/** The job queue the routes read (GET /api/runs, webhook deliveries); queuing goes through the runtime. */
export function queueOf(ctx: ServerContext): Queue {
  if (!ctx.queue)
    throw new RuntimeError(
      "queue_unavailable",
      "This server runs no job queue; run the action without async.",
    );
  return ctx.queue;
}

/**
 * The installed app by alias, in any case (runtime.apps follows the one rule, app-alias.ts). For
 * callers that are no user (webhook senders): the not_found message names no other app.
 */
export function appByAlias(ctx: ServerContext, alias: string): LoadedApp {
  const app = ctx.runtime.apps.get(String(alias));
  if (!app) throw notInstalled(ctx, alias, "");
  return app;
}

/**
 * `appByAlias` for a signed-in user: an unknown alias is not_found listing the installed apps this
 * user may read (as an unknown action lists the app's actions); apps they may not read stay unnamed.
 */
export async function appByAliasFor(ctx: ServerContext, alias: string, user: UserInfo): Promise<LoadedApp> {
  const app = ctx.runtime.apps.get(String(alias));
  if (app) return app;
  throw notInstalled(ctx, alias, await installedAppsNote(ctx, user));
}

/** " (installed: A, B)": the apps `user` may read, for the message of an unknown app. */
export async function installedAppsNote(ctx: ServerContext, user: UserInfo): Promise<string> {
  const readable = await readableApps(ctx, user);
  if (!readable.length) return " (you may read no app here)";
  return ` (installed: ${readable.slice(0, 50).join(", ")}${readable.length > 50 ? ", …" : ""})`;
}

function notInstalled(ctx: ServerContext, alias: string, known: string): RuntimeError {
  return new RuntimeError(
    "not_found",
    `App ${String(alias).slice(0, 40)} is not installed in workspace ${ctx.workspace}${known}.`,
  );
}

/** Throws `forbidden` unless the user may read records of this app (the one access check). */
export async function checkRead(ctx: ServerContext, user: UserInfo, app: string): Promise<void> {
  await checkAccess(ctx.directory, { user, workspace: ctx.workspace, app, permission: "read" });
}

/** Aliases of the installed apps whose records this user may read (the one access check). */
export async function readableApps(ctx: ServerContext, user: UserInfo): Promise<string[]> {
  return appsAllowed(ctx.directory, {
    user,
    workspace: ctx.workspace,
    apps: [...ctx.runtime.apps.keys()],
    permission: "read",
  });
}

/** Time kept back from an action so its own error (not the request's 504) reaches the caller. */
const RESPONSE_MARGIN_MS = 250;

/** Wall-clock left for actions started by this request (the request has 30 s in all). */
export function remainingMs(deadline: number): number {
  return Math.max(deadline - Date.now() - RESPONSE_MARGIN_MS, 1);
}

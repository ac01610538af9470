/**
 * The actions a record allows now (the API's `transitions`, the console's buttons): of edit,
 * delete and the custom actions, those the caller may start (the one rule, authorize-run.ts: base
 * writes need write, custom actions run, `visible: false` ones are never offered), the custom ones
 * only where their precondition is true. Preconditions of a whole page of records are checked in
 * one isolate call; they may compute but not do I/O.
 */
import type { Caller as CurrentUser } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";
import { ASYNC_CALLS, type HostFunctions } from "../sandbox/index.ts";
import type { StoredRecord } from "../store/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { RuntimeConfig } from "./config.ts";
import { startableActions } from "./authorize-run.ts";
import { RECORD_BASE_ACTIONS } from "./base-actions.ts";
import { toEntity } from "./record-shape.ts";
import { CpuBudget, cpuHostCalls, cpuWork, pureHostCalls } from "../host/index.ts";

const refuse = async () => {
  throw new RuntimeError(
    "forbidden",
    "Preconditions can only compute: HTTP, files, records and sleep are not available in them.",
  );
};

/**
 * Host functions for preconditions: pure helpers, and Liquid/htmlToText/CSV in host threads under
 * the check's limits; console output dropped, every I/O call refused.
 */
function computeOnlyHost(config: RuntimeConfig, signal: AbortSignal): HostFunctions {
  const budget = new CpuBudget(config.limits.cpuMs, Date.now() + config.limits.wallMs);
  return {
    ...Object.fromEntries(Object.keys(ASYNC_CALLS).map((name) => [name, refuse])),
    "console.write": () => null,
    ...pureHostCalls,
    ...cpuHostCalls(cpuWork(config.cpu, { budget, signal })),
    "app.secrets": () => ({}),
    "app.schema": () => {
      throw new RuntimeError("forbidden", "AppSchema.load() is not available in preconditions.");
    },
  } as unknown as HostFunctions;
}

export async function allowedTransitions(
  config: RuntimeConfig,
  app: LoadedApp,
  records: StoredRecord[],
  user: CurrentUser,
): Promise<string[][]> {
  if (records.length === 0) return [];
  // Rights do not depend on the record: asked once per action for the whole page.
  const startable = await startableActions(
    { kind: "user", user },
    { store: config.store, workspace: config.workspace, app },
    [...new Set([...RECORD_BASE_ACTIONS, ...app.manifest.actions.map((action) => action.uid)])],
  );
  const base = RECORD_BASE_ACTIONS.filter((uid) => startable.includes(uid));
  const custom = startable.filter((uid) => !RECORD_BASE_ACTIONS.includes(uid));
  if (!app.build.hasPreconditions || custom.length === 0) return records.map(() => [...base, ...custom]);
  const abort = new AbortController();
  const outcome = await config.execute(config.pool, {
    app: app.sandbox,
    init: {
      action: "",
      appAlias: app.alias,
      workspaceAlias: config.workspace,
      entity: {},
      entityOld: null,
      currentUser: { ...user },
      isNew: false,
      vars: app.manifest.vars,
      transitionsFor: {
        records: records.map((r) => toEntity(r.id, r.fields, r, app.schema)),
        actions: custom,
      },
    },
    host: computeOnlyHost(config, abort.signal),
    limits: config.limits,
    abort,
    describeError: (error) => ({
      code: (error as RuntimeError).code ?? "internal_error",
      message: (error as Error).message,
    }),
    redact: (text) => text,
  });
  // A broken precondition module hides the custom actions rather than failing the listing.
  if (!outcome.ok || !outcome.transitions) return records.map(() => [...base]);
  return outcome.transitions.map((allowed) => [...base, ...allowed]);
}

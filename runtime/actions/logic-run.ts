/**
 * Running an action's logic inside an action scope: the unit of work, files, console and HTTP log
 * that a top-level action and the transitions it fires through `updateAppRecord` share.
 */
import type { CurrentUser } from "../../globals/app-types.ts";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import { RuntimeError, type ErrorCode } from "../errors.ts";
import type { LogCapture } from "../host/index.ts";
import type { ActionFiles } from "../host/index.ts";
import type { HttpCallLog, HttpClient } from "../host/index.ts";
import { createHostFunctions } from "../host/index.ts";
import type { Redactor } from "../host/index.ts";
import { secretsFor } from "../host/index.ts";
import type { SandboxLimits, SandboxOutcome } from "../sandbox/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { RuntimeConfig } from "./config.ts";
import { errorDescriber } from "./describe-error.ts";
import type { JsonRecord } from "./fields.ts";
import { prepareFromPending, type PreparedRecord } from "./prepare-record.ts";
import { fieldsFromEntity } from "./record-shape.ts";
import type { UnitOfWork } from "./unit-of-work.ts";

/** updateAppRecord may fire transitions this many levels deep (stops A -> B -> A loops). */
export const MAX_NESTING = 5;

export interface ActionScope {
  config: RuntimeConfig;
  limits: SandboxLimits;
  uow: UnitOfWork;
  files: ActionFiles;
  logs: LogCapture;
  httpCalls: HttpCallLog[];
  /** One HTTP client per action: nested transitions share its request budget. */
  http: HttpClient;
  user: CurrentUser;
  redact: Redactor;
  /** Wall-clock deadline of the whole action, nested transitions included. */
  deadline: number;
  abort: AbortController;
}

export interface LogicResult {
  outcome: SandboxOutcome;
  /** Field values after the logic (validated), when it succeeded. */
  fields?: JsonRecord;
}

export async function runLogic(
  scope: ActionScope,
  app: LoadedApp,
  record: PreparedRecord,
  action: string,
  depth: number,
): Promise<LogicResult> {
  const { config } = scope;
  const abort = new AbortController();
  const stop = () => abort.abort(scope.abort.signal.reason);
  scope.abort.signal.addEventListener("abort", stop, { once: true });
  try {
    const init: ActionInit = {
      action,
      appAlias: app.alias,
      workspaceAlias: config.workspace,
      entity: record.entity,
      entityOld: record.entityOld,
      currentUser: { ...scope.user },
      isNew: record.isNew,
      vars: app.manifest.vars,
    };
    const secrets = secretsFor(app.manifest.secretNames, config.secretSource);
    const host = createHostFunctions({
      uow: scope.uow,
      files: scope.files,
      logs: scope.logs,
      secrets,
      http: scope.http,
      signal: abort.signal,
      updateRecord: (arg) => fireTransition(scope, arg, depth + 1),
    });
    const outcome = await config.execute(config.pool, {
      app: app.sandbox,
      init,
      host,
      abort,
      redact: scope.redact,
      limits: { ...scope.limits, wallMs: Math.max(scope.deadline - Date.now(), 1) },
      describeError: errorDescriber(scope.redact, config.onInternalError),
    });
    if (!outcome.ok) return { outcome };
    return {
      outcome,
      fields: { ...record.fields, ...app.schema.validate(fieldsFromEntity(outcome.entity, record.entity)) },
    };
  } finally {
    scope.abort.signal.removeEventListener("abort", stop);
  }
}

/** `ComindServer.updateAppRecord(id, transition, values)`: apply the values, run that action's logic. */
async function fireTransition(
  scope: ActionScope,
  arg: { id: string; transition: string; values: JsonRecord },
  depth: number,
): Promise<JsonRecord> {
  const transition = arg.transition || "edit";
  if (depth > MAX_NESTING) {
    throw new RuntimeError(
      "limit_exceeded",
      `updateAppRecord nested more than ${MAX_NESTING} levels deep (a transition keeps firing another); stop the loop.`,
    );
  }
  const target = await scope.uow.load(arg.id);
  if (!target)
    throw new RuntimeError(
      "not_found",
      `Record ${arg.id} does not exist in workspace ${scope.config.workspace}.`,
    );
  const app = scope.config.app(target.app);
  if (!app.actionUids.has(transition))
    throw new RuntimeError("unknown_action", `Action "${transition}" is not defined in app ${app.alias}.`);
  const prepared = prepareFromPending(app, target, arg.values ?? {});
  const { outcome, fields } = await runLogic(scope, app, prepared, transition, depth);
  if (!outcome.ok) {
    const code = outcome.error.code === "logic_error" ? "logic_error" : outcome.error.code;
    throw new RuntimeError(
      code as ErrorCode,
      `${app.alias} ${transition} on ${arg.id} failed: ${outcome.error.message}`,
    );
  }
  const next = { ...target, fields: fields!, deleted: transition === "delete", transition };
  scope.uow.put(next);
  return scope.uow.entityOf(next);
}

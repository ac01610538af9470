/**
 * Running an action's logic inside an action scope: the unit of work, files, console and HTTP log
 * that a top-level action and the transitions it fires through `updateAppRecord` share.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import type { RunCaller } from "../access/index.ts";
import { authorizeRun } from "./authorize-run.ts";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { LogCapture } from "../host/index.ts";
import type { ActionFiles } from "../host/index.ts";
import type { HttpCallLog, HttpClient } from "../host/index.ts";
import { createHostFunctions } from "../host/index.ts";
import type { Redactor } from "../host/index.ts";
import type { PendingNotification } from "../notify/index.ts";
import { secretsCall, secretsFor } from "../host/index.ts";
import { tracer } from "../tracing.ts";
import type { CpuBudget } from "../host/index.ts";
import { type HostFunctions, lazyHostTable } from "../sandbox/index.ts";
import type { SandboxLimits, SandboxOutcome } from "../sandbox/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { RuntimeConfig } from "./config.ts";
import { errorDescriber } from "./describe-error.ts";
import type { JsonRecord } from "./fields.ts";
import { prepareFromPending, type PreparedRecord } from "./prepare-record.ts";
import { assembleHostFunctions } from "./host-table.ts";
import { traceHostCalls } from "./host-call-scope.ts";
import { inThisRun } from "../run-context.ts";
import { createRecordCalls } from "./record-calls.ts";
import { fieldsFromEntity } from "./record-shape.ts";
import type { Outbox } from "./outbox.ts";
import type { JobContext } from "./types.ts";
import type { UnitOfWork } from "./unit-of-work.ts";
import type { RunTap } from "./run-tap.ts";

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
  user: UserInfo;
  redact: Redactor;
  /** Wall-clock deadline of the whole action, nested transitions included. */
  deadline: number;
  /** Host-thread work (Liquid, htmlToText, CSV) of the whole action: its deadline and CPU limit. */
  cpuBudget: CpuBudget;
  abort: AbortController;
  /** Answers of `queryApp*Cached` calls, for the whole action. */
  queryCache: Map<string, JsonRecord[]>;
  /** Jobs the logic enqueues and its retryLater request. */
  outbox: Outbox;
  /** Set when the queue runs the action. */
  job?: JobContext;
  /** E-mails asked for by `__sendNotifications` of this action and its nested transitions; sent after the commit. */
  notifications: PendingNotification[];
  /** Records (run-recording.ts) or replays (replay-host.ts) the top-level logic's host calls. */
  tap?: RunTap;
}

export interface LogicResult {
  outcome: SandboxOutcome;
  /** Field values after the logic (validated), when it succeeded. */
  fields?: JsonRecord;
  /** A mass action's other selected records after the logic, validated (records[1..]). */
  others?: JsonRecord[];
}

export interface LogicOptions {
  /** `runAsUser`: the logic sees this user as currentUser. */
  user?: UserInfo;
  /** A mass action: the other selected records (the first is `record`). */
  others?: PreparedRecord[];
}

export async function runLogic(
  scope: ActionScope,
  app: LoadedApp,
  record: PreparedRecord,
  action: string,
  depth: number,
  options: LogicOptions = {},
): Promise<LogicResult> {
  const { config } = scope;
  const user = options.user ?? scope.user;
  const abort = new AbortController();
  const stop = () => abort.abort(scope.abort.signal.reason);
  scope.abort.signal.addEventListener("abort", stop, { once: true });
  try {
    const untapped: ActionInit = {
      action,
      appAlias: app.alias,
      workspaceAlias: config.workspace,
      entity: record.entity,
      entityOld: record.entityOld,
      currentUser: { ...user },
      isNew: record.isNew,
      vars: app.manifest.vars,
      records: options.others ? [record.entity, ...options.others.map((other) => other.entity)] : undefined,
      attempt: scope.job?.attempt ?? 1,
      request: scope.job?.request ?? null,
    };
    // Only the top-level logic is tapped: a nested transition runs inside a host call of it.
    const tap = depth === 0 ? scope.tap : undefined;
    const init = tap ? tap.init(untapped) : untapped;
    const secrets = secretsFor(app.manifest.secretNames, config.secretSource);
    const assemble = (): HostFunctions =>
      traceHostCalls(
        assembleHostFunctions({
          host: createHostFunctions({
            uow: scope.uow,
            files: scope.files,
            logs: scope.logs,
            secrets,
            http: scope.http,
            signal: abort.signal,
            signIn: (spec) => config.comindAuth.apply(spec, user),
            documents: config.documents,
            cpu: config.cpu,
            cpuBudget: scope.cpuBudget,
          }),
          records: createRecordCalls({
            uow: scope.uow,
            app,
            user,
            queryCache: scope.queryCache,
            fireTransition: (arg, runAs) =>
              fireTransition(
                scope,
                arg,
                depth + 1,
                runAs ? { kind: "logic", user: runAs, asUser: true } : { kind: "logic", user },
              ),
          }),
          queue: {
            "queue.enqueue": async (arg) => scope.outbox.enqueue(arg),
            "queue.retryLater": async (arg) => {
              scope.outbox.retryLater(arg);
              return null;
            },
          } satisfies Partial<HostFunctions>,
        }),
      );
    const tapped = (table: HostFunctions) => (tap ? tap.host(table) : table);
    // app.secrets as the whole table would have it (tracing wraps only async calls; a tap wraps
    // each call on its own), so a worker's run that makes no host call builds nothing else.
    // With tracing on, the table binds the run's async context and span when it is built: now.
    const host = lazyHostTable(
      tapped(secretsCall(secrets) as unknown as HostFunctions),
      () => tapped(assemble()),
      tracer() !== null,
    );
    const outcome = await config.execute(config.pool, {
      app: app.sandbox,
      init,
      host,
      // A replayed run answers every request from its recording: the worker may not send any.
      http: tap && !tap.recordWorkerHttp ? undefined : scope.http,
      recordWorkerHttp: tap?.recordWorkerHttp?.bind(tap),
      abort,
      redact: scope.redact,
      limits: {
        ...scope.limits,
        wallMs: Math.max(scope.deadline - Date.now(), 1),
        wallLimitMs: scope.limits.wallLimitMs ?? scope.limits.wallMs,
      },
      // Reported from the bridge's side of a host call, outside the run's async scope: bound to it.
      describeError: errorDescriber(scope.redact, inThisRun(config.onInternalError)),
      seed: tap?.seed,
      clock: tap?.clock,
    });
    if (outcome.clock) tap?.clockRead?.(outcome.clock);
    if (!outcome.ok) return { outcome };
    const others = options.others?.map((other, i) => {
      const after = outcome.records?.[i + 1];
      if (!after || typeof after !== "object") return other.fields;
      return { ...other.fields, ...app.schema.validate(fieldsFromEntity(after, other.entity, app.schema)) };
    });
    const fields = {
      ...record.fields,
      ...app.schema.validate(fieldsFromEntity(outcome.entity, record.entity, app.schema)),
    };
    for (const context of outcome.notifications ?? [])
      scope.notifications.push({ context, app: app.alias, recordId: record.id, fields });
    return { outcome, fields, others };
  } finally {
    scope.abort.signal.removeEventListener("abort", stop);
  }
}

/** `ComindServer.updateAppRecord(id, transition, values)`: apply the values, run that action's logic. */
async function fireTransition(
  scope: ActionScope,
  arg: { id: string; transition: string; values: JsonRecord },
  depth: number,
  caller: Extract<RunCaller, { kind: "logic" }>,
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
  // A nested run goes through the same rule as every other run.
  const user = await authorizeRun(caller, {
    store: scope.config.store,
    workspace: scope.config.workspace,
    app,
    action: transition,
    values: arg.values,
  });
  const prepared = prepareFromPending(app, target, arg.values ?? {});
  const { outcome, fields } = await runLogic(scope, app, prepared, transition, depth, { user });
  if (!outcome.ok) {
    throw new RuntimeError(
      outcome.error.code,
      `${app.alias} ${transition} on ${arg.id} failed: ${outcome.error.message}`,
    );
  }
  const next = {
    ...target,
    fields: fields!,
    deleted: transition === "delete",
    transition,
    skipHistory: app.historyless.has(transition),
  };
  scope.uow.put(next);
  return scope.uow.entityOf(next);
}

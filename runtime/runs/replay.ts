/**
 * Replays a recorded run (actions/run-recording.ts) against the app as it is loaded here — the
 * same bundle or an edited one: the recorded record, caller, vars and seed go in; every host call
 * that reaches the world is answered from the recording (actions/replay-host.ts); nothing is
 * committed. The report compares the outcome with the recorded one and lists every call that did
 * not match the recording, with both sides.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import {
  type ActionScope,
  type JsonRecord,
  Outbox,
  RECORDING_FORMAT,
  type RecordedCall,
  type RecordedOutcome,
  type ReplayMismatch,
  RunReplayer,
  type RunRecording,
  runLogic,
  type RuntimeConfig,
  UnitOfWork,
} from "../actions/index.ts";
import { isRuntimeError, RuntimeError } from "../errors.ts";
import { ActionFiles, CpuBudget, createHttpClient, type HttpCallLog, LogCapture } from "../host/index.ts";
import { actionHttpPolicy } from "./http-policy.ts";

export interface ReplayOptions {
  /** Calls that do not match the recording go to the real host (the egress allow-list applies). */
  live?: boolean;
}

/** One difference between the recorded and the replayed outcome. */
export interface OutcomeDifference {
  /** `ok`, `error.code`, `error.message` or `entity.<field>`. */
  path: string;
  recorded: unknown;
  replayed: unknown;
}

export interface ReplayReport {
  runId: string;
  app: string;
  action: string;
  /** Whether the local bundle is the one the run was recorded with. */
  sameBundle: boolean;
  recorded: RecordedOutcome;
  replayed: RecordedOutcome;
  /** Empty when the replay ended as the recorded run did. */
  differences: OutcomeDifference[];
  /** Host calls that did not match the recording, with both sides. */
  mismatches: ReplayMismatch[];
  /** Recorded calls the replay never made. */
  unusedCalls: RecordedCall[];
  logs: { level: string; message: string }[];
  /** The replayed outcome equals the recorded one and every host call matched. */
  same: boolean;
}

/** A recording read from a file or the REST API, checked enough to replay it. */
export function parseRecording(raw: unknown): RunRecording {
  const recording = raw as Partial<RunRecording> | null;
  if (
    typeof recording !== "object" ||
    recording === null ||
    recording.format !== RECORDING_FORMAT ||
    typeof recording.app !== "string" ||
    typeof recording.action !== "string" ||
    typeof recording.init !== "object" ||
    recording.init === null ||
    typeof recording.seed !== "string" ||
    !/^[0-9a-f]{32}$/.test(recording.seed) ||
    typeof recording.outcome !== "object" ||
    !Array.isArray(recording.calls)
  )
    throw new RuntimeError(
      "bad_request",
      `This is not a run recording (expected "format": "${RECORDING_FORMAT}"); download it with GET /api/runs/{runId}/recording.`,
    );
  return recording as RunRecording;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

export function outcomeDifferences(
  recorded: RecordedOutcome,
  replayed: RecordedOutcome,
): OutcomeDifference[] {
  const differences: OutcomeDifference[] = [];
  const compare = (path: string, a: unknown, b: unknown) => {
    if (json(a) !== json(b)) differences.push({ path, recorded: a ?? null, replayed: b ?? null });
  };
  compare("ok", recorded.ok, replayed.ok);
  compare("error.code", recorded.error?.code, replayed.error?.code);
  compare("error.message", recorded.error?.message, replayed.error?.message);
  if (recorded.ok && replayed.ok) {
    const fields = new Set([...Object.keys(recorded.entity ?? {}), ...Object.keys(replayed.entity ?? {})]);
    for (const field of fields)
      compare(`entity.${field}`, recorded.entity?.[field], replayed.entity?.[field]);
  }
  return differences;
}

export async function replayRun(
  config: RuntimeConfig,
  recording: RunRecording,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const app = config.app(recording.app);
  if (!app.actionUids.has(recording.action))
    throw new RuntimeError(
      "unknown_action",
      `Action "${recording.action}" of the recording is not defined in app ${app.alias} here.`,
    );
  const { limits, redact, workspace } = config;
  const user = recording.init.currentUser as unknown as UserInfo;
  const logs = new LogCapture(limits.maxLogBytes, redact);
  const httpCalls: HttpCallLog[] = [];
  const abort = new AbortController();
  const files = new ActionFiles(config.store, {
    workspace,
    apps: [app.alias, ...app.build.pkg.dependsOn],
    userId: user.id,
  });
  const replayer = new RunReplayer(recording, { live: options.live ?? false, redact });
  const deadline = Date.now() + limits.wallMs;
  const scope: ActionScope = {
    config,
    limits,
    uow: new UnitOfWork({
      store: config.store,
      workspace,
      defaultApp: app.alias,
      dependsOn: app.build.pkg.dependsOn,
      schemaOf: config.schemaOf,
    }),
    files,
    logs,
    httpCalls,
    http: createHttpClient({
      policy: actionHttpPolicy(config.allowHosts, limits),
      files,
      signal: abort.signal,
      onCall: (call) => httpCalls.push(call),
      dispatcher: config.httpDispatcher,
    }),
    user,
    redact,
    deadline,
    cpuBudget: new CpuBudget(limits.cpuMs, deadline),
    abort,
    queryCache: new Map(),
    outbox: new Outbox(config, app, user),
    notifications: [],
    tap: replayer,
  };
  const { init } = recording;
  const record = {
    id: recording.recordId ?? String(init.entity.id ?? ""),
    stored: null,
    isNew: init.isNew,
    fields: {} as JsonRecord,
    entity: init.entity,
    entityOld: init.entityOld,
  };
  let replayed: RecordedOutcome;
  try {
    const { outcome } = await runLogic(scope, app, record, recording.action, 0);
    replayed = outcome.ok
      ? { ok: true, entity: outcome.entity as JsonRecord }
      : { ok: false, error: { code: outcome.error.code, message: outcome.error.message } };
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    replayed = { ok: false, error: { code: error.code, message: redact(error.message) } };
  } finally {
    abort.abort(new Error("replay finished"));
    await files.cleanup();
  }
  const differences = outcomeDifferences(recording.outcome, replayed);
  const unusedCalls = replayer.unusedCalls;
  return {
    runId: recording.runId,
    app: app.alias,
    action: recording.action,
    sameBundle: recording.bundleHash === app.build.hash,
    recorded: recording.outcome,
    replayed,
    differences,
    mismatches: replayer.mismatches,
    unusedCalls,
    logs: logs.entries,
    same: differences.length === 0 && replayer.mismatches.length === 0 && unusedCalls.length === 0,
  };
}

/**
 * One action, start to end: prepare the record, run the logic in the sandbox, then commit the
 * record, every record the logic wrote (nested transitions included), persisted files and
 * history in ONE store transaction — or write nothing. Every run lands in the run log.
 */
import {
  type RuntimeConfig,
  runLogic,
  type ActionScope,
  toEntity,
  prepareMassRecords,
  prepareRecord,
  type PreparedRecord,
  type ActionRequest,
  type ActionResult,
  authorizeRun,
  Outbox,
  type RecordedOutcome,
  RunRecorder,
  UnitOfWork,
  COMMITTED,
} from "../actions/index.ts";
import { actorOf } from "../access/index.ts";
import { type ErrorCode, isRuntimeError } from "../errors.ts";
import { LogCapture } from "../host/index.ts";
import { actionHttpPolicy } from "./http-policy.ts";
import { ActionFiles } from "../host/index.ts";
import { createHttpClient, type HttpCallLog } from "../host/index.ts";
import { CpuBudget } from "../host/index.ts";
import { commitOnce, earlierCommit } from "./commit-step.ts";
import type { ActionRunLog, RunCommit } from "../store/index.ts";
import { newRunId } from "../run-id.ts";
import { MAIL_SOURCE, mailRuns, sendNow } from "./mail.ts";
import { observeRun, traceCommit, traceLoad } from "./run-span.ts";

/** Reason for aborting leftover host work when an action ends (no DOMException stack per run). */
const ACTION_FINISHED = Object.freeze(new Error("action finished"));

export function runAction(config: RuntimeConfig, request: ActionRequest): Promise<ActionResult> {
  // A queued run's attempts are logged as <runId>, <runId>~2, ... (history entries carry the same id).
  const job = request.job;
  const runId = job ? (job.attempt > 1 ? `${job.runId}~${job.attempt}` : job.runId) : newRunId();
  return observeRun(config, request, runId, () => runActionAs(config, request, runId));
}

async function runActionAs(
  config: RuntimeConfig,
  request: ActionRequest,
  runId: string,
): Promise<ActionResult> {
  const app = config.app(request.app);
  const { store, workspace } = config;
  const limits = request.wallMs
    ? { ...config.limits, wallMs: Math.min(config.limits.wallMs, request.wallMs) }
    : config.limits;
  const job = request.job;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const redact = config.redact;
  const logs = new LogCapture(limits.maxLogBytes, redact);
  const httpCalls: HttpCallLog[] = [];
  const files = new ActionFiles(store, {
    workspace,
    apps: [app.alias, ...app.build.pkg.dependsOn],
    userId: actorOf(request.caller),
  });
  const abort = new AbortController();
  let recordId: string | null = request.recordId ?? null;
  let cpuMs = 0;
  let heapMb: number | null = null;
  let outbox: Outbox | null = null;
  // The recording for `replay`: kept for failed runs by default (--record-runs, the app's recordRuns).
  const recordMode = app.queue.recordRuns ?? config.recording.mode;
  const recorder =
    recordMode === "off"
      ? null
      : new RunRecorder({ redact, sensitiveFields: config.recording.sensitiveFields });
  let logicOutcome: RecordedOutcome | null = null;
  let recording: string | null | undefined;
  const recordingOf = (result: { ok: boolean; error?: { code: ErrorCode; message: string } }) => {
    if (recording !== undefined) return recording;
    if (!recorder?.started || (recordMode === "failed" && result.ok)) return null;
    const recorded = recorder.finish({
      runId,
      workspace,
      app: app.alias,
      action: request.action,
      recordId,
      bundleHash: app.build.hash,
      values: request.values,
      // What the logic ended with (what a replay reproduces); the run's own failure when it has none.
      outcome: logicOutcome ?? { ok: result.ok, error: result.error },
    });
    recording = recorded ? JSON.stringify(recorded) : null;
    return recording;
  };

  const runLog = (result: {
    ok: boolean;
    error?: { code: ErrorCode; message: string; stack?: string };
  }): ActionRunLog => ({
    id: runId,
    workspace,
    app: app.alias,
    action: request.action,
    recordId,
    source: request.source ?? (job ? "queue" : "api"),
    actor: actorOf(request.caller),
    startedAt,
    finishedAt: new Date().toISOString(),
    ok: result.ok,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error?.message ?? null,
    errorStack: result.error?.stack ?? null,
    logs: logs.entries,
    httpCalls,
    cpuMs: Math.round(cpuMs * 10) / 10,
    heapMb,
    // What a failed new record was sent, for a re-run as a new record (its id was never stored).
    newRecordValues: !result.ok && !request.recordId && !request.recordIds ? { ...request.values } : null,
    recording: recordingOf(result),
  });
  /**
   * A failed run is logged on its own; a successful one was logged in its commit. After
   * `commit_unknown` the entry may already be there (the commit did land) or the store may still
   * be away: either way GET /api/runs/{id} tells the truth, so a refused write is no news.
   */
  const finish = async (result: ActionResult): Promise<ActionResult> => {
    config.metrics.action(
      app.alias,
      request.action,
      result.ok ? "ok" : result.error.code,
      (performance.now() - started) / 1000,
    );
    if (!result.ok)
      await store
        .recordRun(runLog(result))
        .catch((error) =>
          result.error.code === "commit_unknown" ? undefined : config.onInternalError(error),
        );
    return result;
  };
  const fail = (code: ErrorCode, message: string, stack = `Error: ${message}`) =>
    finish({
      ok: false,
      runId,
      recordId,
      error: { code, message: redact(message), stack: redact(stack) },
      logs: logs.entries,
      httpCalls,
      cpuMs,
      retry: outbox?.retry ?? null,
    });

  /** The answer to a retry whose change already committed under the same idempotency key. */
  const replay = async (previous: RunCommit): Promise<ActionResult> => {
    const id = previous.recordId ?? recordId ?? "";
    const saved = id ? await store.getRecord(workspace, id) : null;
    return {
      ok: true,
      runId: previous.runId,
      recordId: id,
      created: false,
      ran: false,
      replayed: true,
      entity: saved ? toEntity(saved.id, saved.fields, saved, app.schema) : { id },
      logs: [],
      httpCalls: [],
      cpuMs: 0,
    };
  };

  try {
    // The one front door: every run is authorized here, also when the queue runs it.
    const user = await authorizeRun(request.caller, {
      store,
      workspace,
      app,
      action: request.action,
      values: request.values,
    });
    outbox = new Outbox(config, app, user);
    const previous = await earlierCommit(store, request);
    if (previous) return await replay(previous);
    const selected: PreparedRecord[] = await traceLoad(config, async () =>
      request.recordIds
        ? await prepareMassRecords(store, workspace, app, request)
        : [await prepareRecord(store, workspace, app, request)],
    );
    const [record, ...others] = selected;
    recordId = record.id;
    const uow = new UnitOfWork({
      store,
      workspace,
      defaultApp: app.alias,
      dependsOn: app.build.pkg.dependsOn,
      schemaOf: config.schemaOf,
      onImported: request.onImported,
    });
    const http = createHttpClient({
      policy: actionHttpPolicy(config.allowHosts, limits),
      files,
      signal: abort.signal,
      onCall: (call) => {
        httpCalls.push(call);
        config.metrics.httpCall(call.host, call.status, call.error);
      },
      redact,
      dispatcher: config.httpDispatcher,
    });
    const deadline = Date.now() + limits.wallMs;
    const scope: ActionScope = {
      config,
      limits,
      uow,
      files,
      logs,
      httpCalls,
      http,
      user,
      redact,
      deadline,
      cpuBudget: new CpuBudget(limits.cpuMs, deadline),
      abort,
      queryCache: new Map(),
      outbox,
      job,
      notifications: [],
      tap: recorder ?? undefined,
    };
    const {
      outcome,
      fields,
      others: othersAfter,
    } = await runLogic(scope, app, record, request.action, 0, {
      others: request.recordIds ? others : undefined,
    });
    cpuMs = outcome.cpuMs;
    heapMb = outcome.heapMb ?? null;
    logicOutcome = outcome.ok
      ? { ok: true, entity: outcome.entity }
      : { ok: false, error: { code: outcome.error.code, message: redact(outcome.error.message) } };
    if (!outcome.ok) return await fail(outcome.error.code, outcome.error.message, outcome.error.stack);

    const skipHistory = app.historyless.has(request.action);
    for (const [i, each] of selected.entries()) {
      uow.put({
        id: each.id,
        app: app.alias,
        stored: each.stored,
        fields: i === 0 ? fields! : othersAfter![i - 1],
        deleted: request.action === "delete",
        transition: request.action,
        skipHistory,
        comment: request.comment?.trim() || undefined,
      });
    }
    const mail = config.queue ? mailRuns(config, request, runId, scope.notifications) : [];
    const change = {
      workspace,
      actor: user.id,
      action: request.action,
      runId,
      recordId: record.id,
      writes: uow.writes(),
      files: files.pendingWrites(),
      // The run log of a successful action is written in the action's own transaction.
      run: runLog({ ok: true }),
      extras:
        config.queue && (outbox.runs.length > 0 || job || mail.length > 0)
          ? [config.queue.commitExtra({ enqueue: outbox.runs, commitOf: job?.runId, mail })]
          : undefined,
    };
    const commitStarted = performance.now();
    const commit = await traceCommit(config, () =>
      commitOnce(store, request, change, scope.deadline),
    ).finally(() => config.metrics.commit((performance.now() - commitStarted) / 1000));
    if (commit.kind === "replayed") {
      await fail("conflict", "A retry with the same Idempotency-Key committed first; answered from it.");
      return await replay(commit.previous);
    }
    const committed = commit.records;
    if (scope.notifications.length && !mail.length) {
      // No job queue: sent now. The run's own log entry was written with the commit; what happened
      // to its e-mails is an entry of its own, `<runId>~mail` (source "notification").
      const mailLogs = new LogCapture(limits.maxLogBytes, redact);
      await sendNow(
        config,
        scope.notifications,
        mailLogs,
        (id) => committed.find((entry) => entry.id === id)?.number ?? null,
      );
      for (const entry of mailLogs.entries) logs.write(entry.level, entry.message);
      await store
        .recordRun({
          ...runLog({ ok: true }),
          id: `${runId}~mail`,
          source: MAIL_SOURCE,
          logs: mailLogs.entries,
          httpCalls: [],
        })
        .catch(config.onInternalError);
    }
    for (const run of mail)
      logs.write("info", `[notification] queued: run ${run.runId} sends it (GET /api/runs/${run.runId})`);
    const saved = committed.find((entry) => entry.id === record.id) ?? null;
    const entity = saved
      ? toEntity(saved.id, saved.fields, saved, app.schema)
      : toEntity(record.id, fields!, record.stored, app.schema);
    return await finish({
      ok: true,
      runId,
      recordId: record.id,
      recordIds: request.recordIds ? selected.map((each) => each.id) : undefined,
      created: record.isNew,
      ran: outcome.ok && outcome.ran,
      entity,
      [COMMITTED]: committed,
      logs: logs.entries,
      httpCalls,
      cpuMs,
    });
  } catch (error) {
    if (isRuntimeError(error)) return await fail(error.code, error.message);
    config.onInternalError(error);
    return await fail("internal_error", "An unexpected error happened on the host; see the server log.");
  } finally {
    abort.abort(ACTION_FINISHED);
    await files.cleanup();
  }
}

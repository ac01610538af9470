/**
 * The action runtime: loaded apps, a store, limits and warm isolates. The CLI, the server and
 * app developers' tests all drive actions through this.
 *
 * @example
 *   const runtime = await createActionRuntime({ store, allowHosts: ["127.0.0.1"] });
 *   await runtime.loadApp("apps/app-crm-contact");
 *   const result = await runtime.run({ app: "CONTACT", action: "sync_contacts", caller: { kind: "developer", user: { id: "me", isAdmin: true } } });
 */
import {
  AppRegistry,
  authorizeRun,
  startableActions,
  loadApp,
  type LoadedApp,
  type RuntimeConfig,
  allowedTransitions,
  type ActionRequest,
  type ActionResult,
} from "../actions/index.ts";
import { readdirSync, existsSync } from "node:fs";
import { appAliasKey } from "../app-alias.ts";
import { join, resolve } from "node:path";
import { globalsScript } from "../bundle/index.ts";
import { ERROR_CODES, type PublicError, publicError, RuntimeError } from "../errors.ts";
import { loadSecretSource } from "../host/index.ts";
import { createRedactor } from "../host/index.ts";
import { Notifier, type PendingNotification } from "../notify/index.ts";
import { type MailAttempt, sendQueuedMail } from "./mail.ts";
import { Admission } from "./admission.ts";
import { ComindAuth } from "../host/index.ts";
import { CpuPool, DocumentPool } from "../host/index.ts";
import {
  DEFAULT_WARM_ISOLATES_MB,
  DEFAULT_WORKER_NICE,
  defaultWorkerMemoryMb,
  executeInSandbox,
  IsolatePool,
  prewarmApp,
  withLimits,
  WorkerSupervisor,
  type SandboxLimits,
} from "../sandbox/index.ts";
import type { Queue } from "../queue/index.ts";
import { type Metrics, NO_METRICS } from "../metrics/index.ts";
import { actorOf, type Caller as CurrentUser, type RunCaller } from "../access/index.ts";
import type { UserInfo } from "../../globals/bridge-contract.ts";
import type { DirectoryPort, StoredRecord } from "../store/index.ts";
import { isPluginOnly } from "../bundle/index.ts";
import { parseRuntimeOptions, type RuntimeOptions } from "./options-schema.ts";
import { enqueueRun, type QueuedRun, type RunToQueue } from "./enqueue.ts";
import { type Answer, answerOnce, type Idempotency, type ItemKey, type OnceAnswer } from "./idempotency.ts";
import type { RunRequest, RunResult } from "./request.ts";
import { runAction } from "./run-action.ts";
import { parseRecording, type ReplayOptions, type ReplayReport, replayRun } from "./replay.ts";

/** How many recent runs tell which apps were used last (the order of the start's prewarm). */
const RECENT_RUNS = 2_000;
/** Warm-up runs each worker gets at start (sandbox/warm-up.ts): enough for V8 to compile the path. */
const WARM_UP_RUNS_PER_WORKER = 8;

/** A signing key made once per store (runtime_keys), read once per process. */
function storeKey(store: DirectoryPort, name: string): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | null = null;
  return () => {
    key ??= store.directory.runtimeKey(name).then((value) => new TextEncoder().encode(value));
    key.catch(() => {
      key = null;
    });
    return key;
  };
}

export class ActionRuntime {
  /** Installed apps by alias; lookups ignore case (the one rule, runtime/app-alias.ts). */
  readonly apps = new AppRegistry();
  /** App folders whose last load failed (absolute path -> the public error, e.g. a build error with file:line). */
  readonly appErrors = new Map<string, PublicError>();
  readonly config: RuntimeConfig;
  readonly workers: WorkerSupervisor | null;
  /** Where this runtime's actions, jobs and e-mails are counted (the server's registry, or nowhere). */
  readonly metrics: Metrics;
  private readonly admission: Admission;
  /** The start's prewarm (start()); null until a server starts this runtime. */
  #startup: Promise<number> | null = null;
  #started = false;

  /** @throws RuntimeError bad_request naming the first bad option (options-schema.ts) */
  constructor(raw: RuntimeOptions) {
    const options = parseRuntimeOptions(raw);
    const apps = this.apps;
    const app = (alias: string): LoadedApp => {
      const found = apps.get(alias);
      if (!found) throw new RuntimeError("unknown_app", `App ${alias} is not installed in this runtime.`);
      return found;
    };
    const secretSource = options.secrets ?? loadSecretSource(options.envFile);
    const onInternalError =
      options.onInternalError ?? ((error: unknown) => console.error("comind-runtime internal error:", error));
    const metrics = options.metrics ?? NO_METRICS;
    this.metrics = metrics;
    const limits = withLimits(options.limits);
    const memoryBudgetMb =
      options.workerMemoryMb ?? defaultWorkerMemoryMb(options.workers ?? 0, limits.memoryMb);
    const warmBudgetMb = options.warmIsolatesMb ?? DEFAULT_WARM_ISOLATES_MB;
    this.workers = options.workers
      ? new WorkerSupervisor({
          size: options.workers,
          spare: options.spareWorkers,
          memoryBudgetMb,
          warmBudgetMb,
          nice: options.workerNice ?? DEFAULT_WORKER_NICE,
          onBooted: options.onWorkerBooted,
          onCrash: (info) => {
            metrics.workerRestart();
            onInternalError(
              new Error(
                `sandbox worker ${info.pid} died (${info.signal ?? info.code}); ${info.actions} action(s) failed with worker_crashed; replaced`,
              ),
            );
          },
        })
      : null;
    const cpu = new CpuPool();
    this.admission = new Admission(options.admission, (reason) => metrics.admissionRefused(reason));
    this.config = {
      store: options.store,
      redact: createRedactor(
        Object.values(secretSource).filter((value): value is string => typeof value === "string"),
      ),
      workspace: options.workspace ?? "DEMO",
      limits,
      allowHosts: options.allowHosts ?? [],
      secretSource,
      pool: new IsolatePool(globalsScript, { memoryBudgetMb, warmBudgetMb }),
      app,
      schemaOf: (alias) => app(alias).schema,
      onInternalError,
      execute: options.execute ?? this.workers?.execute ?? executeInSandbox,
      httpDispatcher: options.httpDispatcher,
      notifier: new Notifier(options.notifications ?? {}, cpu, metrics),
      // Tokens are signed with a key kept in the store, so any node of a cluster accepts them.
      comindAuth: new ComindAuth({
        signingKey: storeKey(options.store, "comind-auth"),
        ...options.comindAuth,
      }),
      documents: new DocumentPool(options.documents),
      cpu,
      recording: {
        mode: options.recording?.mode ?? "failed",
        sensitiveFields: options.recording?.sensitiveFields ?? [],
      },
      metrics,
    };
  }

  /** Bundles an app folder and installs it (a rebuilt app replaces the old one). */
  async loadApp(dir: string): Promise<LoadedApp> {
    try {
      const loaded = await this.#install(dir);
      this.appErrors.delete(resolve(dir));
      return loaded;
    } catch (error) {
      this.appErrors.set(resolve(dir), publicError(error));
      throw error;
    }
  }

  async #install(dir: string): Promise<LoadedApp> {
    const loaded = await loadApp(dir, this.config.limits.memoryMb);
    const previous = this.apps.get(loaded.alias);
    if (previous && previous.dir !== loaded.dir) {
      throw new RuntimeError(
        "app_invalid",
        `Apps "${previous.dir}" and "${loaded.dir}" both use publishingAlias ${loaded.alias}.`,
      );
    }
    if (previous && previous.sandbox.key !== loaded.sandbox.key) this.config.pool.evict(previous.sandbox.key);
    this.apps.set(loaded.alias, loaded);
    // A deploy or hot reload of a started server: its first action should not pay the cold start.
    if (this.#startup && previous?.sandbox.key !== loaded.sandbox.key) void this.prewarm([loaded]);
    return loaded;
  }

  /**
   * Whether this runtime can run an action now: its worker processes have booted and, once a
   * server started it (`start`), the start's prewarm is done. `/health` is ready only then.
   */
  isReady(): boolean {
    return (this.workers?.serving() ?? true) && (this.#startup === null || this.#started);
  }

  /**
   * The start of a server, after its apps are loaded: waits for the worker processes to boot, then
   * builds warm isolates of the installed apps (most recently run first, as far as the warm
   * budget has room). Resolves to how many were built; an action arriving meanwhile waits for
   * its worker and, if its app is being built, for that isolate.
   */
  start(): Promise<number> {
    this.#startup ??= (async () => {
      try {
        await this.workers?.whenServing();
        const built = await this.prewarm();
        // Then the way a run takes to a worker and back, in both processes, as far as apps allow.
        await this.workers?.warmRunPath(
          [...this.apps.values()].map((app) => app.sandbox),
          WARM_UP_RUNS_PER_WORKER,
        );
        return built;
      } finally {
        this.#started = true;
      }
    })();
    return this.#startup;
  }

  /** Builds warm isolates of `apps` (default: every installed app) ahead of their first action. */
  async prewarm(apps: LoadedApp[] = [...this.apps.values()]): Promise<number> {
    const lastRun = await this.#lastRunOfApps();
    const order = apps
      .map((app) => ({ app: app.sandbox, lastUsedAt: lastRun.get(appAliasKey(app.alias)) ?? 0 }))
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    if (this.workers) return this.workers.prewarm(order);
    let built = 0;
    for (const { app, lastUsedAt } of order) {
      if (!this.config.pool.hasWarmRoom()) break;
      if (await prewarmApp(this.config.pool, app, lastUsedAt)) built += 1;
    }
    return built;
  }

  /** When each app last ran (from the recent run log), by alias key; empty if the store cannot say. */
  async #lastRunOfApps(): Promise<Map<string, number>> {
    const last = new Map<string, number>();
    try {
      const runs = await this.config.store.listRuns({ workspace: this.config.workspace, limit: RECENT_RUNS });
      for (const run of runs) {
        const key = appAliasKey(run.app);
        last.set(key, Math.max(last.get(key) ?? 0, Date.parse(run.startedAt) || 0));
      }
    } catch {
      // no order then: the apps are warmed in the order they were installed
    }
    return last;
  }

  /**
   * Loads every app folder (a folder with package.json) under `appsDir`. A broken app is reported
   * through `onAppError` and skipped, so one bad app does not keep the others from being served.
   */
  async loadAppsFrom(
    appsDir: string,
    onAppError?: (dir: string, error: unknown) => void,
    /** Called before each app is built (`index` from 0), e.g. for a progress line. */
    onProgress?: (index: number, total: number, dir: string) => void,
  ): Promise<LoadedApp[]> {
    const dirs = readdirSync(appsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(appsDir, entry.name, "package.json")))
      .map((entry) => join(appsDir, entry.name))
      .filter((dir) => !isPluginOnly(dir));
    const loaded = [];
    for (const [index, dir] of dirs.entries()) {
      onProgress?.(index, dirs.length, dir);
      try {
        loaded.push(await this.loadApp(dir));
      } catch (error) {
        if (!onAppError) throw error;
        onAppError(dir, error);
      }
    }
    return loaded;
  }

  /**
   * The REST API of this runtime listens at `url`: RestApi.setComindAuth() signs in there, and
   * logic may reach it (its host:port joins the egress allow-list).
   */
  servesAt(url: string): void {
    this.config.comindAuth.setPublicUrl(url);
    const { host } = new URL(url);
    if (!this.config.allowHosts.includes(host)) this.config.allowHosts.push(host);
  }

  /**
   * Replays a recorded run (GET /api/runs/{runId}/recording) against the app as loaded here:
   * host calls answered from the recording, nothing committed; reports the outcome against the
   * recorded one and every host call that did not match.
   */
  async replay(recording: unknown, options: ReplayOptions = {}): Promise<ReplayReport> {
    return replayRun(this.config, parseRecording(recording), options);
  }

  /** Attaches the job queue: ComindServer.enqueue then writes jobs in each action's commit. */
  useQueue(queue: Queue | undefined): void {
    this.config.queue = queue;
    // An app's own quotas (settings/index.ts) are read when one of its runs is enqueued.
    queue?.quotas.useAppQuotas((alias) => this.apps.get(alias)?.queue.quotas);
  }

  /**
   * The one front door: runs an action for `request.caller` (required), authorized by the one
   * rule before anything else happens. With `request.idempotency` a retry with the same key and
   * request is answered with the first run's stored result (`storedAnswer`), and the change
   * commits at most once (idempotency.ts).
   *
   * @example
   *   const result = await runtime.run({ app: "CONTACT", action: "edit", recordId, caller, idempotency: { key, operation: "sync", request: values } });
   * @throws RuntimeError idempotency_mismatch or bad_request (a malformed key); a failed run is a result, not a throw
   */
  async run(request: RunRequest): Promise<RunResult> {
    const { idempotency, ...action } = request;
    // A queued run was admitted when it was queued; the job runner bounds its concurrency.
    // A record read before a wait for admission may be stale by then: the run reads it again.
    const admitted = (work: (request: ActionRequest) => Promise<ActionResult>) =>
      action.job
        ? work(action)
        : this.admission.run(action.recordId ?? action.recordIds?.[0], (waited) =>
            work(waited ? { ...action, loaded: undefined } : action),
          );
    if (!idempotency) return admitted((admittedAction) => runAction(this.config, admittedAction));
    const answer = await answerOnce(
      this.config.store,
      actorOf(request.caller),
      idempotency,
      async (itemKey) => {
        const result = await admitted((admittedAction) =>
          runAction(this.config, { ...admittedAction, commitKey: itemKey(0) }),
        );
        return { status: result.ok ? 200 : ERROR_CODES[result.error.code].status, body: result };
      },
      this.config.onInternalError,
    );
    return answer.storedAnswer ? { ...answer.body, storedAnswer: true } : answer.body;
  }

  /**
   * A request of several runs (a tickets/multi batch) answered at most once per idempotency key:
   * `handle` runs each item with `itemKey(index)` as its commit key; a retry with the same key and
   * request gets the stored answer (`storedAnswer`) and runs nothing.
   *
   * @example
   *   const { status, body, storedAnswer } = await runtime.answerOnce(caller, idempotency, (itemKey) => runItems(itemKey));
   */
  answerOnce<T>(
    caller: RunCaller,
    idempotency: Idempotency | undefined,
    handle: (itemKey: ItemKey) => Promise<Answer<T>>,
  ): Promise<OnceAnswer<T>> {
    return answerOnce(this.config.store, actorOf(caller), idempotency, handle, this.config.onInternalError);
  }

  /**
   * Queues a run instead of running it (REST async, webhooks): the caller is authorized now and
   * again when it runs. With `run.idempotency` a retry gets the first run's id (`storedAnswer`).
   *
   * @throws RuntimeError queue_unavailable, not_found, unknown_action, forbidden, rate_limited, idempotency_mismatch
   */
  enqueue(run: RunToQueue): Promise<QueuedRun> {
    return enqueueRun(this, run);
  }

  /** Actions running and waiting now, the limits, and how many were refused `overloaded`. */
  /** `503 overloaded` for an action that would arrive now to a full server (admission.ts), or null. */
  refuseIfFull(): RuntimeError | null {
    return this.admission.refuseNow();
  }

  admissionStats() {
    return this.admission.stats();
  }

  /**
   * The same rule when a run is queued (REST async, webhooks, schedules): throws `forbidden`
   * unless the caller may start it now. The queue's worker checks again through `run`.
   */
  authorize(request: Pick<ActionRequest, "app" | "action" | "caller" | "values">): Promise<UserInfo> {
    const { store, workspace } = this.config;
    return authorizeRun(request.caller, {
      store,
      workspace,
      app: this.config.app(request.app),
      action: request.action,
      values: request.values,
    });
  }

  /** One attempt of a queued e-mail (a `~mail` run written by an action's commit). */
  sendQueuedMail(
    notification: PendingNotification,
    attempt: number,
    maxAttempts: number,
  ): Promise<MailAttempt> {
    return sendQueuedMail(this.config, notification, attempt, maxAttempts);
  }

  /** Which of `actions` of `app` the caller may start now (the same rule, asked without running). */
  startableActions(caller: RunCaller, app: string, actions: readonly string[]): Promise<string[]> {
    const { store, workspace } = this.config;
    return startableActions(caller, { store, workspace, app: this.config.app(app) }, actions);
  }

  /** Whether a secret has a non-empty value (for listings; the value never leaves the runtime). */
  secretIsSet(name: string): boolean {
    const value = this.config.secretSource[name];
    return typeof value === "string" && value !== "";
  }

  /** The limits every action runs with (defaults merged with the options). */
  get limits(): Readonly<SandboxLimits> {
    return this.config.limits;
  }

  /** Per record, the actions `user` may fire on it: edit, delete and the custom actions whose precondition holds. */
  allowedTransitions(app: LoadedApp, records: StoredRecord[], user: CurrentUser): Promise<string[][]> {
    return allowedTransitions(this.config, app, records, user);
  }

  /** The sandbox as admins see it: worker processes, or the warm isolates of this process. */
  async sandboxStats() {
    return {
      workers: this.workers ? await this.workers.stats() : [],
      workerCrashes: this.workers?.crashes ?? 0,
      inProcessIsolates: this.workers ? [] : this.config.pool.stats(),
      /** Warm isolates of this process (workers 0): how many, warm budget, evictions. */
      inProcessPool: this.workers ? null : this.config.pool.summary(),
      ready: this.isReady(),
    };
  }

  async close(): Promise<void> {
    this.config.pool.dispose();
    this.config.notifier.close();
    await this.config.documents.close();
    await this.config.cpu.close();
    await this.workers?.close();
  }
}

export async function createActionRuntime(options: RuntimeOptions): Promise<ActionRuntime> {
  return new ActionRuntime(options);
}

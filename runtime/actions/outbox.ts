/**
 * The jobs an action enqueues (`ComindServer.enqueue`) and its request to be retried
 * (`ComindServer.retryLater`). The jobs are written in the action's own commit (transactional
 * outbox): if the action fails, none of them exists.
 */
import { activeTraceparent, tracer } from "../tracing.ts";
import type { Caller, RunCaller } from "../access/index.ts";
import type { EnqueueSpec } from "../../globals/bridge-contract.ts";
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";
import type { NewRun } from "../queue/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { RuntimeConfig } from "./config.ts";
import { newRunId } from "../run-id.ts";

/** Enqueues one action may make (each is a row in its commit). */
export const MAX_ENQUEUES = 100;
const MAX_KEY_LENGTH = 200;
const MAX_DELAY_MS = 365 * 86_400_000;

function runAtOf(value: string | number | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() > Date.now() + MAX_DELAY_MS)
    throw new RuntimeError(
      "validation_error",
      "ComindServer.enqueue: runAt must be a date-time within the next 365 days.",
    );
  return date;
}

export class Outbox {
  readonly runs: NewRun[] = [];
  retry: { reason: string; afterMs?: number } | null = null;

  private readonly config: RuntimeConfig;
  private readonly app: LoadedApp;
  /** An enqueued run is the enqueuing logic's, for the user that logic acted for. */
  private readonly caller: RunCaller;

  constructor(config: RuntimeConfig, app: LoadedApp, user: Caller) {
    this.config = config;
    this.app = app;
    this.caller = { kind: "logic", user };
  }

  async enqueue(spec: EnqueueSpec): Promise<{ runId: string }> {
    const queue = this.config.queue;
    if (!queue)
      throw new RuntimeError(
        "queue_unavailable",
        "ComindServer.enqueue needs the job queue, which runs with `comind-runtime serve`; this run has none.",
      );
    if (this.runs.length >= MAX_ENQUEUES)
      throw new RuntimeError("limit_exceeded", `An action may enqueue at most ${MAX_ENQUEUES} jobs.`);
    const alias = spec.appAlias ? appAliasKey(String(spec.appAlias)) : this.app.alias;
    if (alias !== this.app.alias && !this.app.build.pkg.dependsOn.includes(alias))
      throw new RuntimeError(
        "forbidden",
        `App ${this.app.alias} may not enqueue actions of ${alias.slice(0, 40)}: list it in comindApp.dependsOn.`,
      );
    const target = this.config.app(alias);
    if (!target.actionUids.has(spec.action))
      throw new RuntimeError(
        "unknown_action",
        `Action "${String(spec.action).slice(0, 100)}" is not defined in app ${alias}.`,
      );
    if (spec.key !== undefined && (spec.key === "" || spec.key.length > MAX_KEY_LENGTH))
      throw new RuntimeError(
        "validation_error",
        `ComindServer.enqueue: key must be 1 to ${MAX_KEY_LENGTH} characters.`,
      );
    const run: NewRun = {
      runId: newRunId(),
      workspace: this.config.workspace,
      app: alias,
      action: spec.action,
      recordId: spec.id,
      values: spec.values && typeof spec.values === "object" ? spec.values : undefined,
      caller: this.caller,
      source: "enqueue",
      maxAttempts: target.queue.retries.maxAttempts,
      runAt: runAtOf(spec.runAt),
      key: spec.key,
      // Tracing on: the queued run's span links back to this host call's span.
      traceparent: tracer() ? activeTraceparent() : undefined,
    };
    // Over a quota, `rate_limited` is thrown into the logic now; the commit checks again.
    await queue.admit(run, this.runs);
    this.runs.push(run);
    return { runId: run.runId };
  }

  retryLater(arg: { reason: string; afterMs?: number }): void {
    const afterMs = Number(arg.afterMs);
    this.retry = {
      reason: String(arg.reason ?? "").slice(0, 1_000),
      afterMs: Number.isFinite(afterMs) ? Math.min(Math.max(afterMs, 0), MAX_DELAY_MS) : undefined,
    };
  }
}

/** A runtime + queue node over one engine's store, with the app-queue fixture installed. */
import { join } from "node:path";
import { createActionRuntime, type ActionRuntime } from "../../runtime/runs/index.ts";
import { type SchedulerClock, startJobNode } from "../../runtime/jobs/index.ts";
import { openQueue, type QueueOptions, type Queue, type RunDoc } from "../../runtime/queue/index.ts";
import { openStore, type Store, type StoreOptions } from "../../runtime/store/index.ts";
import type { Engine } from "../helpers/engines.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";

export const QUEUE_APP = join(FIXTURE_APPS, "app-queue");
export const HOOK_SECRET = "hook-secret-value-123";

export interface QueueNode {
  runtime: ActionRuntime;
  store: Store;
  queue: Queue;
  errors: string[];
  storeOptions: StoreOptions;
  close(): Promise<void>;
}

/** `idle`: the queue takes no jobs (runs stay pending until the test calls queue.work). */
export interface NodeOptions {
  idle?: boolean;
  quotas?: QueueOptions["quotas"];
  now?: QueueOptions["now"];
  /** The scheduler's clock (a fake one in schedule tests). */
  clock?: SchedulerClock;
  /** The retention job's age in days; 0 (the default here) keeps its timer out of the clock. */
  retentionDays?: number;
}

export async function startQueueNode(
  engine: Engine,
  apps: string[] = [QUEUE_APP],
  nodeOptions: NodeOptions = {},
): Promise<QueueNode> {
  const { options, cleanup } = await engine.create();
  const node = await startNodeOn(options, apps, nodeOptions);
  return {
    ...node,
    async close() {
      await node.close();
      if (options.schema) await dropSchema(options.databaseUrl!, graphileSchemaOf(options)!);
      await cleanup();
    },
  };
}

export const graphileSchemaOf = (options: StoreOptions) =>
  options.schema ? `gw_${options.schema}` : undefined;

/** One more node on an existing store (several nodes share one Postgres schema). */
export async function startNodeOn(
  options: StoreOptions,
  apps: string[] = [QUEUE_APP],
  nodeOptions: NodeOptions = {},
): Promise<QueueNode> {
  const store = await openStore(options);
  const runtime = await createActionRuntime({
    store,
    secrets: { COMIND_SECRET_QUEUE_HOOK: HOOK_SECRET },
    allowHosts: ["127.0.0.1"],
    limits: { cpuMs: 1_000 },
  });
  for (const app of apps) await runtime.loadApp(app);
  const errors: string[] = [];
  const queue = await openQueue(store, {
    concurrency: 2,
    pollMs: 100,
    lockTimeoutMs: 10_000,
    graphileSchema: graphileSchemaOf(options),
    quotas: nodeOptions.quotas,
    now: nodeOptions.now,
    onError: (error) => {
      errors.push(String(error));
      if (process.env.DEBUG_QUEUE) console.error(error);
    },
  });
  const log = {
    info: () => undefined,
    warn: (details: object, message: string) => errors.push(`${message} ${JSON.stringify(details)}`),
    error: (details: object, message: string) => errors.push(`${message} ${JSON.stringify(details)}`),
  };
  if (nodeOptions.idle) runtime.useQueue(queue);
  const node = nodeOptions.idle
    ? { stop: () => queue.close() }
    : await startJobNode(runtime, queue, log, {
        clock: nodeOptions.clock,
        retentionDays: nodeOptions.retentionDays ?? 0,
      });
  return {
    runtime,
    store,
    queue,
    errors,
    storeOptions: options,
    async close() {
      await node.stop();
      await runtime.close();
      await store.close();
    },
  };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const FINISHED = new Set(["succeeded", "failed", "dead"]);

export function waitForRun(queue: Queue, runId: string, timeoutMs?: number): Promise<RunDoc> {
  return waitFor(async () => {
    const run = await queue.getRun(runId);
    return run && FINISHED.has(run.status) ? run : undefined;
  }, timeoutMs);
}

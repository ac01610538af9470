/**
 * A job node: this process takes queued runs and walks the apps' schedules. Above actions/ and
 * queue/, so the queue stays storage and transport and knows nothing of actions.
 */
import type { LoadedApp } from "../actions/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import type { Queue } from "../queue/index.ts";
import { runJob } from "./run-job.ts";
import { DEFAULT_RETENTION_DAYS, type RetentionLog, startRetention } from "./retention.ts";
import { type SchedulerClock, type SchedulerLog, startScheduler } from "./scheduler.ts";

/** A running job node; `appReloaded` tells it an app was rebuilt (`dev`), so its schedules follow. */
export interface JobNode {
  appReloaded(app: LoadedApp): void;
  stop(): Promise<void>;
}

/** Makes this process a queue node: takes jobs and walks the apps' schedules. */
export async function startJobNode(
  runtime: ActionRuntime,
  queue: Queue,
  log: SchedulerLog & RetentionLog,
  options: { clock?: SchedulerClock; retentionDays?: number } = {},
): Promise<JobNode> {
  runtime.useQueue(queue);
  await queue.work((job) => runJob(runtime, queue, job));
  const scheduler = startScheduler(runtime, queue, log, options.clock);
  const retention = startRetention(runtime.config.store, queue, log, {
    days: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
    clock: options.clock,
  });
  return {
    appReloaded: (app) => scheduler.reloadApp(app),
    async stop() {
      scheduler.stop();
      await retention.stop();
      await queue.close();
    },
  };
}

/**
 * Jobs: running a queued run (one attempt, its retries and outcome), the schedules' walker and the
 * job node that starts both. Above actions/ and queue/: the queue stores and hands out jobs, this
 * folder knows what a job means.
 *
 * @example
 *   const queue = await openQueue(store, { concurrency: 4 });
 *   const node = await startJobNode(runtime, queue, logger); // takes jobs, walks schedules
 *   await node.stop();
 */
export { type JobNode, startJobNode } from "./node.ts";
export { runJob } from "./run-job.ts";
export {
  DEFAULT_RETENTION_DAYS,
  RETENTION_RANGE,
  RETENTION_SCHEDULE,
  type RetentionLog,
  startRetention,
  trimOlderThan,
} from "./retention.ts";
export {
  REAL_CLOCK,
  SCHEDULE_CALLER,
  type Scheduler,
  type SchedulerClock,
  type SchedulerLog,
  startScheduler,
} from "./scheduler.ts";

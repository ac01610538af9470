/**
 * The options of createActionRuntime as a zod schema, the RuntimeOptions type inferred from it.
 * Numbers are checked against their ranges and unknown keys are refused (a misspelt `worker: 2`
 * would otherwise run everything in-process): a bad option is a bad_request naming it.
 */
import { RECORD_RUNS_MODES, type RuntimeConfig } from "../actions/index.ts";
import type { Dispatcher } from "undici";
import { z } from "zod";
import { callback, instance, numberIn, parseConfig } from "../config-schema.ts";
import { documentPoolOptionsSchema, type ComindAuthOptions, type SecretSource } from "../host/index.ts";
import type { NotificationOptions } from "../notify/index.ts";
import { limitOverridesSchema } from "../sandbox/index.ts";
import type { Store } from "../store/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { admissionOptionsSchema } from "./admission.ts";

const isObject = (value: unknown) => typeof value === "object" && value !== null;

/** Accepted ranges of the runtime's own numbers (the sandbox limits have theirs in limits.ts). */
export const RUNTIME_RANGES = {
  workers: { min: 0, max: 64, whole: true },
  spareWorkers: { min: 0, max: 1, whole: true },
  workerMemoryMb: { min: 8, max: 1_048_576, whole: true },
  warmIsolatesMb: { min: 1, max: 1_048_576, whole: true },
  workerNice: { min: 0, max: 19, whole: true },
} as const;

export const runtimeOptionsSchema = z.strictObject({
  store: instance<Store>("a store (openStore)", isObject),
  /** Workspace the apps are installed in (default DEMO). */
  workspace: z.string().min(1, { error: "must not be empty" }).optional(),
  /** Per-action limits over DEFAULT_LIMITS (runtime/limits.ts). */
  limits: limitOverridesSchema.optional(),
  /** Egress allow-list for otherwise refused hosts (loopback, private, link-local). */
  allowHosts: z.array(z.string().min(1, { error: "must not be empty" })).optional(),
  /** dotenv file with COMIND_SECRET_* values (the process environment is read too). */
  envFile: z.string().optional(),
  /** Secrets source instead of process.env + envFile (tests). */
  secrets: instance<SecretSource>("an object of secret values", isObject).optional(),
  onInternalError: callback<(error: unknown) => void>().optional(),
  /** Outbound HTTP goes here instead of the network: an undici MockAgent in app tests. */
  httpDispatcher: instance<Dispatcher>("an undici Dispatcher", isObject).optional(),
  /** Replaces the sandbox executor (benchmarks only). */
  execute: callback<RuntimeConfig["execute"]>().optional(),
  /**
   * Run isolates in this many worker processes (a supervisor restarts dead ones); 0 = in this
   * process (the CLI's `run`, tests). The server defaults to one per core.
   */
  workers: numberIn(RUNTIME_RANGES.workers).optional(),
  /** Worker processes booted ahead of need to replace a dead one at once (0 or 1, default 1). */
  spareWorkers: numberIn(RUNTIME_RANGES.spareWorkers).optional(),
  /**
   * Isolate memory of each worker process (this process when `workers` is 0), MB: the heap limits
   * of its running isolates plus its idle ones' heap. A run that does not fit waits within its
   * deadline, then fails `resource_exhausted`. Default: `defaultWorkerMemoryMb`.
   */
  workerMemoryMb: numberIn(RUNTIME_RANGES.workerMemoryMb).optional(),
  /**
   * What idle warm isolates may take in all worker processes together (this process when
   * `workers` is 0), MB; beyond it the least recently used are evicted and rebuilt on their next
   * run. Default DEFAULT_WARM_ISOLATES_MB (runtime/limits.ts).
   */
  warmIsolatesMb: numberIn(RUNTIME_RANGES.warmIsolatesMb).optional(),
  /**
   * How much lower the CPU priority of the worker processes is than this process's (nice, 0–19):
   * the server's main thread goes first when the cores are busy. Default DEFAULT_WORKER_NICE.
   */
  workerNice: numberIn(RUNTIME_RANGES.workerNice).optional(),
  /** Awaited when a worker process has booted, before it takes actions (tests hold a start with it). */
  onWorkerBooted: callback<(pid: number) => unknown>().optional(),
  /** E-mail from `__sendNotifications`: SMTP_URL, sender, server log. Without smtpUrl e-mails are only logged. */
  notifications: instance<NotificationOptions>("an object { smtpUrl, from, log }", isObject).optional(),
  /** RestApi.setComindAuth(): this runtime's public URL (serve sets it when it listens) and token key. */
  comindAuth: instance<ComindAuthOptions>("an object { publicUrl, signingKey }", isObject).optional(),
  /** How many actions run on request at once and wait for a place (admission.ts); beyond: 503 overloaded. */
  admission: admissionOptionsSchema.optional(),
  /** Caps of the document helpers' worker threads: image pixels, thread heap (docs/admins.md, "Limits"). */
  documents: documentPoolOptionsSchema.optional(),
  /** Which runs keep a recording for `replay` (an app's settings may say otherwise) and the fields never recorded. */
  recording: z
    .strictObject({
      mode: z.enum(RECORD_RUNS_MODES, { error: 'must be "failed", "all" or "off"' }).default("failed"),
      sensitiveFields: z.array(z.string().min(1, { error: "must not be empty" })).default([]),
    })
    .optional(),
  /** Where actions, commits, outbound HTTP, e-mails, jobs and refusals are counted (createPrometheusMetrics); default: nowhere. */
  metrics: instance<Metrics>("a Metrics recorder (createPrometheusMetrics)", isObject).optional(),
});

export type RuntimeOptions = z.infer<typeof runtimeOptionsSchema>;

/** The options, checked; the first bad one is a bad_request naming it. */
export function parseRuntimeOptions(raw: unknown): RuntimeOptions {
  return parseConfig(runtimeOptionsSchema, raw, "bad_request", "", "createActionRuntime: ");
}

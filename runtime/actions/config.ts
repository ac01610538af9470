/** What the lifecycle needs from its runtime: store, workspace, limits, apps, sandbox pool. */
import type { Dispatcher } from "undici";
import type { SecretSource } from "../host/index.ts";
import type { Redactor } from "../host/index.ts";
import type { Notifier } from "../notify/index.ts";
import type { ComindAuth } from "../host/index.ts";
import type { CpuPool, DocumentPool } from "../host/index.ts";
import type { IsolatePool, SandboxLimits, SandboxOutcome, SandboxRun } from "../sandbox/index.ts";
import type { Queue } from "../queue/index.ts";
import type { Store } from "../store/index.ts";
import type { Metrics } from "../metrics/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import type { FieldSchema } from "./fields.ts";
import type { RecordRunsMode } from "./run-recording.ts";

export interface RuntimeConfig {
  store: Store;
  workspace: string;
  limits: SandboxLimits;
  allowHosts: string[];
  secretSource: SecretSource;
  /** Masks every COMIND_SECRET_* value the runtime knows, in every app's logs and errors. */
  redact: Redactor;
  pool: IsolatePool;
  app(alias: string): LoadedApp;
  schemaOf(alias: string): FieldSchema;
  onInternalError(error: unknown): void;
  /** Outbound HTTP goes here instead of the network (app tests: an undici MockAgent). */
  httpDispatcher?: Dispatcher;
  /** Sends what `__sendNotifications` returned, after the action committed. */
  notifier: Notifier;
  /** RestApi.setComindAuth(): short-lived tokens for this runtime's own REST API. */
  comindAuth: ComindAuth;
  /** Worker threads for PDF, xlsx and zip work. */
  documents: DocumentPool;
  /** Worker threads for Liquid, htmlToText and CSV: under each action's deadline. */
  cpu: CpuPool;
  /** Runs the logic: the isolated-vm sandbox (benchmarks swap in a node:vm baseline). */
  execute(pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome>;
  /** Which runs keep a recording (run-recording.ts), unless an app's settings say otherwise. */
  recording: { mode: RecordRunsMode; sensitiveFields: string[] };
  /** Where actions, commits and outbound requests are counted (NO_METRICS unless the server asked). */
  metrics: Metrics;
  /** The job queue (serve): ComindServer.enqueue writes to it in the action's commit. */
  queue?: Queue;
}

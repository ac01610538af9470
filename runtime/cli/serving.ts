/**
 * The start and stop of `serve` / `dev`: store, action runtime, queue, server, apps, job node,
 * listen, watcher — and the same pieces closed in one order on SIGTERM/SIGINT or when the start
 * fails (the port is taken, the store is gone…), so a failed start exits instead of hanging on
 * the workers, the queue or the store it had already opened.
 */
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { createActionRuntime, type ActionRuntime } from "../runs/index.ts";
import { codeFrameOf } from "../bundle/index.ts";
import { publicError } from "../errors.ts";
import { closeAgents } from "../host/index.ts";
import { type JobNode, startJobNode } from "../jobs/index.ts";
import { openQueue, type Queue } from "../queue/index.ts";
import { createServer } from "../server/index.ts";
import { createPrometheusMetrics } from "../metrics/index.ts";
import { poolSettingsFromEnv } from "./database-env.ts";
import { resolveEnvFile } from "./env-file.ts";
import { listenFailure } from "./listen-error.ts";
import { type MailInFlags, mailStartLine, startMailFrom } from "./mail-in-options.ts";
import { chooseLogFormat, type LogFormat, openServerLog } from "./log-format.ts";
import { oidcFromEnv } from "./oidc-env.ts";
import { warmRequestPath, warmSocketPath } from "./path-warm-up.ts";
import { openStoreFrom, runtimeOptionsFrom, type SandboxFlags } from "./options.ts";
import { createProgress } from "./progress.ts";
import { quotasFrom } from "./quota-options.ts";
import { openWhenReachable } from "./wait-for-store.ts";
import { logUnhandledRejections } from "./unhandled-rejections.ts";
import { watchApps } from "./watch-apps.ts";
import { startTracing } from "./tracing.ts";

export interface ServeFlags extends SandboxFlags, MailInFlags {
  apps: string;
  publicUrl?: string;
  port: number;
  host: string;
  workers: number;
  workerMemoryMb?: number;
  recordRuns: "failed" | "all" | "off";
  recordSensitiveField: string[];
  warmIsolatesMb?: number;
  workerNice?: number;
  jobs?: number;
  jobLockTimeoutMs: number;
  jobHeartbeatMs: number;
  jobDeadAfterMs: number;
  shutdownDrainMs: number;
  runRetentionDays: number;
  maxRunningActions?: number;
  maxWaitingActions?: number;
  queueSchema?: string;
  console?: boolean;
  metrics?: boolean;
  metricsToken?: string;
  logFormat?: LogFormat;
  otelEndpoint?: string;
  /** Warm the request path before ready (path-warm-up.ts); default on. */
  warmUp?: boolean;
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(host);

/** http://host:port of the listening socket; a wildcard address is reached through loopback. */
function ownUrl(address: string | AddressInfo | null, host: string): string {
  const port = typeof address === "object" && address ? address.port : 0;
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** The token command for this server's store: its flags when they were given on the command line. */
function tokenCommand(command: Command, flags: ServeFlags): string {
  const data = flags.data ?? "";
  const store =
    command.getOptionValueSource("databaseUrl") === "cli"
      ? " --database-url <the same URL>" // never the URL itself: it may hold a password
      : command.getOptionValueSource("data") === "cli"
        ? ` --data ${/[\s"'$]/.test(data) ? JSON.stringify(data) : data}`
        : "";
  return `npx comind-runtime token create <user> --admin${store}`;
}

/** Runs every step even when one throws (a half-started server must still let go of the rest). */
async function each(steps: (() => unknown)[]): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch {
      // this part is already gone or was never fully up; the others still need closing
    }
  }
}

/** Starts serving; resolves once it listens. A failed start closes what it opened, then throws. */
export async function startServing(flags: ServeFlags, command: Command, watch: boolean): Promise<void> {
  const format = chooseLogFormat(process.stdout.isTTY, flags.logFormat);
  const log = openServerLog(format, process.env.LOG_LEVEL ?? "info");
  // Before anything that makes spans; a bad endpoint is a usage error before anything opens.
  const tracing = startTracing(flags.otelEndpoint);
  const envFile = resolveEnvFile(flags.env);
  if (envFile.note) log.logger.info(envFile.note);
  const oidc = oidcFromEnv();
  const dataDir = flags.data ?? "./data";
  const jobs = flags.jobs ?? Math.max(flags.workers, 1) * 2;
  const open: {
    cleanup?: () => Promise<void>;
    runtime?: ActionRuntime;
    queue?: Queue;
    server?: Awaited<ReturnType<typeof createServer>>;
    node?: JobNode;
    stopWatching?: () => Promise<void>;
    mail?: { close(): Promise<void> } | null;
  } = {};
  // Closes what is open, in the order that lets running requests and jobs finish; once.
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= each([
      () => open.stopWatching?.(),
      () => open.mail?.close(),
      () => open.server?.close(),
      () => (open.node ? open.node.stop() : open.queue?.close()),
      () => open.runtime?.close(),
      () => closeAgents(),
      () => open.cleanup?.(),
      () => tracing?.shutdown(),
      () => log.flush(),
    ]));
  try {
    const { store, cleanup } = await openWhenReachable(() =>
      openStoreFrom({ ...flags, data: dataDir }, dataDir, {
        pool: poolSettingsFromEnv(flags.workers),
        backgroundCheckpoints: true,
      }),
    );
    open.cleanup = cleanup;
    // One registry for this server: the runtime records into it, /metrics serves it.
    const metrics = flags.metrics === false ? undefined : createPrometheusMetrics();
    const runtime = await createActionRuntime({
      store,
      ...runtimeOptionsFrom(
        flags,
        (level, message, details) => log.logger[level](details, message),
        envFile.path,
      ),
      // In the server log, with the run id of the run it happened in (run-context.ts).
      onInternalError: (error) => log.logger.error({ err: error }, "internal error"),
      admission: { maxRunning: flags.maxRunningActions, maxWaiting: flags.maxWaitingActions },
      workers: flags.workers,
      workerMemoryMb: flags.workerMemoryMb,
      recording: { mode: flags.recordRuns, sensitiveFields: flags.recordSensitiveField },
      metrics,
      warmIsolatesMb: flags.warmIsolatesMb,
      workerNice: flags.workerNice,
    });
    open.runtime = runtime;
    const queue = await openQueue(store, {
      concurrency: Math.max(jobs, 1),
      lockTimeoutMs: flags.jobLockTimeoutMs,
      heartbeatMs: flags.jobHeartbeatMs,
      deadAfterMs: flags.jobDeadAfterMs,
      graphileSchema: flags.queueSchema,
      quotas: quotasFrom(flags as unknown as Record<string, unknown>),
      onError: (error) => log.logger.error({ error: String(error) }, "job queue error"),
      onWarning: (message, details) => log.logger.warn(details, message),
    });
    open.queue = queue;
    runtime.useQueue(queue);
    const consoleOn = flags.console ?? isLoopback(flags.host);
    const server = await createServer({
      runtime,
      store,
      queue,
      workspace: flags.workspace,
      dataDir,
      oidc,
      logger: log.logger,
      console: consoleOn,
      metrics: metrics && { registry: metrics, token: flags.metricsToken },
    });
    open.server = server;
    logUnhandledRejections(server.log);
    const progress = createProgress(process.stdout);
    const apps = await runtime.loadAppsFrom(
      flags.apps,
      (dir, error) => {
        progress.done();
        server.log.error(
          { app: dir, error: publicError(error), frame: codeFrameOf(error) },
          "app not installed: fix it (see `comind-runtime check`) and restart",
        );
      },
      (index, total) => progress.update(`building apps: ${index + 1}/${total}`),
    );
    progress.done();
    // Workers boot and the apps' isolates are built while the rest starts; ready once both are done.
    const started = performance.now();
    const starting = runtime.start();
    // Meanwhile (the workers boot in their own processes), the server's own path is compiled.
    const warmingUp =
      flags.warmUp === false
        ? Promise.resolve(null)
        : warmRequestPath({
            workspace: flags.workspace,
            onProblem: (error) =>
              log.logger.warn(
                { error: publicError(error) },
                "warm-up: gave up; the first action starts cold",
              ),
          });
    open.node =
      jobs > 0
        ? await startJobNode(runtime, queue, server.log, { retentionDays: flags.runRetentionDays })
        : undefined;
    // Accepting connections already: a request sent now waits for the workers (and /health says
    // `starting`); "Server listening at" is logged once an action can run.
    await server
      .listen({
        port: flags.port,
        host: flags.host,
        listenTextResolver: (address) => `starting at ${address}: waiting for the sandbox workers`,
      })
      .catch((error: unknown) => {
        throw listenFailure(error, flags);
      });
    const url = ownUrl(server.server.address(), flags.host);
    runtime.servesAt(flags.publicUrl ?? url);
    const mail = await startMailFrom(flags, runtime, server.log);
    open.mail = mail;
    if (mail) server.log.info(mailStartLine(mail, runtime, flags.smtpDomain));
    // Listening: from here a signal lets running requests finish (before, it ends the process).
    let draining = false;
    const shutdown = (signal: string) => {
      if (closed || draining) return;
      draining = true;
      server.log.info({ signal }, "shutting down: finishing running requests");
      // Keep-alive clients get their 503 shutting_down before their connections are closed.
      void server.drain(flags.shutdownDrainMs).then(close, close);
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
    const warm = await starting;
    const warmedUp = await warmingUp;
    if (closed) return;
    // One request over a real socket (no credentials, no side effect): the inject-driven warm-up
    // does not reach the connection and parser code a client's first request runs.
    if (flags.warmUp !== false) await warmSocketPath(url);
    server.log.info(
      {
        workers: flags.workers,
        warmIsolates: warm,
        warmUpMs: warmedUp?.ms,
        readyMs: Math.round(performance.now() - started),
      },
      `Server listening at ${url}`,
    );
    if (watch) {
      const stopWatching = await watchApps(runtime, flags.apps, server.log, (app) =>
        open.node?.appReloaded(app),
      );
      if (closed)
        await stopWatching(); // a signal came while the watcher started
      else open.stopWatching = stopWatching;
    }
    // The last lines of the start: what to open and how to get a token.
    server.log.info(
      { workspace: flags.workspace, apps: apps.map((app) => app.alias), store: store.kind, jobs },
      `serving the API at ${url}/api${consoleOn ? `, the console at ${url}/console` : ""}`,
    );
    server.log.info(`create an API token with \`${tokenCommand(command, flags)}\``);
    if (tracing) server.log.info({ collector: tracing.host }, "tracing: spans are exported over OTLP/HTTP");
    log.flush();
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `comind-runtime serve`: the REST API over the store with every app in --apps installed in the
 * workspace. SIGTERM/SIGINT: stop accepting, finish running requests, close the store.
 * `comind-runtime dev`: the same for app developers, rebuilding apps as their files change.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { Option, type Command } from "commander";
import { createActionRuntime, RUNTIME_RANGES } from "../runs/index.ts";
import { publicError } from "../errors.ts";
import { closeAgents } from "../host/index.ts";
import { startJobNode } from "../jobs/index.ts";
import {
  DEFAULT_HEARTBEAT,
  DEFAULT_LOCK_TIMEOUT_MS,
  HEARTBEAT_RANGES,
  heartbeatOptionsSchema,
  MIN_MISSED_BEATS,
  openQueue,
} from "../queue/index.ts";
import { createServer, createServerLog } from "../server/index.ts";
import { poolSettingsFromEnv } from "./database-env.ts";
import { oidcFromEnv } from "./oidc-env.ts";
import { withHelp } from "./help.ts";
import { createProgress } from "./progress.ts";
import { openWhenReachable } from "./wait-for-store.ts";
import {
  addSandboxOptions,
  allowHosts,
  documentsFrom,
  limitsFrom,
  notificationsFrom,
  openStoreFrom,
  SANDBOX_ENV,
  type SandboxFlags,
} from "./options.ts";
import { booleanOption, CLI_RANGES, numberOption } from "./option-schema.ts";
import { UsageError } from "./output.ts";
import { addQuotaOptions, quotasFrom } from "./quota-options.ts";
import { logUnhandledRejections } from "./unhandled-rejections.ts";
import { watchApps } from "./watch-apps.ts";

interface ServeFlags extends SandboxFlags {
  apps: string;
  publicUrl?: string;
  port: number;
  host: string;
  workers: number;
  workerMemoryMb?: number;
  jobs?: number;
  jobLockTimeoutMs: number;
  jobHeartbeatMs: number;
  jobDeadAfterMs: number;
  queueSchema?: string;
  console?: boolean;
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(host);

/** http://host:port of the listening socket; a wildcard address is reached through loopback. */
function ownUrl(address: string | AddressInfo | null, host: string): string {
  const port = typeof address === "object" && address ? address.port : 0;
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

function serveCommand(
  program: Command,
  name: string,
  description: string,
  mode: { watch: boolean; workers: number; example: string },
): void {
  const command = addSandboxOptions(
    program
      .command(name)
      .description(description)
      .addOption(new Option("--apps <dir>", "folder of app folders").env("COMIND_APPS").default("./apps"))
      .addOption(numberOption("--port", "HTTP port", CLI_RANGES.port, "PORT").default(8080))
      .addOption(
        new Option("--host <address>", "address to listen on (0.0.0.0 for all interfaces)")
          .env("HOST")
          .default("127.0.0.1"),
      )
      .addOption(
        new Option(
          "--public-url <url>",
          "where clients reach this API (RestApi.setComindAuth signs in there)",
        ).env("COMIND_PUBLIC_URL"),
      )
      .addOption(
        booleanOption(
          "--console",
          "serve the run console at /console (default: on when listening on loopback, off otherwise)",
          "COMIND_CONSOLE",
        ),
      )
      .addOption(
        numberOption(
          "--workers",
          "sandbox worker processes (0 = run isolates in the server process)",
          RUNTIME_RANGES.workers,
          "COMIND_WORKERS",
        ).default(mode.workers),
      )
      .addOption(
        numberOption(
          "--worker-memory-mb",
          "isolate memory of each worker process: running isolates' heap limits plus idle ones' heap (default: half the machine's memory over the workers, at least 4 isolates)",
          RUNTIME_RANGES.workerMemoryMb,
          "COMIND_WORKER_MEMORY_MB",
        ),
      )
      .addOption(
        numberOption(
          "--jobs",
          "queued jobs this node runs at a time (0 = take no jobs); default 2 per worker",
          CLI_RANGES.jobs,
          "COMIND_JOBS",
        ),
      )
      .addOption(
        numberOption(
          "--job-lock-timeout-ms",
          "Postgres, for nodes without a heartbeat (an older version): a job locked this long is run by another node",
          CLI_RANGES.jobLockTimeoutMs,
          "COMIND_JOB_LOCK_TIMEOUT_MS",
        ).default(DEFAULT_LOCK_TIMEOUT_MS),
      )
      .addOption(
        numberOption(
          "--job-heartbeat-ms",
          "Postgres: how often this job node writes its heartbeat and checks the others'",
          HEARTBEAT_RANGES.heartbeatMs,
          "COMIND_JOB_HEARTBEAT_MS",
        ).default(DEFAULT_HEARTBEAT.heartbeatMs),
      )
      .addOption(
        numberOption(
          "--job-dead-after-ms",
          `Postgres: a job node whose heartbeat is this old is dead and its jobs run elsewhere (at least ${MIN_MISSED_BEATS} × --job-heartbeat-ms)`,
          HEARTBEAT_RANGES.deadAfterMs,
          "COMIND_JOB_DEAD_AFTER_MS",
        ).default(DEFAULT_HEARTBEAT.deadAfterMs),
      )
      .addOption(
        new Option("--queue-schema <name>", "graphile-worker's Postgres schema").env("COMIND_QUEUE_SCHEMA"),
      ),
    { json: false },
  );
  addQuotaOptions(command);
  withHelp(command, {
    env: {
      ...SANDBOX_ENV,
      LOG_LEVEL: "log level of the JSON logs on stdout (default info)",
      OIDC_ISSUER:
        "accept Bearer JWTs from this issuer; needs OIDC_AUDIENCE (or OIDC_SKIP_AUDIENCE=true); also JWKS_URL, OIDC_ADMIN_CLAIM + OIDC_ADMIN_VALUE, OIDC_GROUPS_CLAIM",
    },
    exitCodes: {
      0: "stopped by SIGTERM / SIGINT after finishing running requests",
      1: "the store cannot be opened (store_unavailable) or the port is taken",
      2: "bad usage: a missing --apps folder, a bad --port, --workers or quota option, OIDC_ISSUER without OIDC_AUDIENCE",
    },
    examples: [mode.example],
  });
  command.action(async (flags: ServeFlags) => {
    if (!existsSync(flags.apps)) throw new UsageError(`Apps folder "${flags.apps}" does not exist.`);
    // Each flag's range is checked by its parser; what is left is the schema's rule between them.
    const heartbeat = { heartbeatMs: flags.jobHeartbeatMs, deadAfterMs: flags.jobDeadAfterMs };
    if (!heartbeatOptionsSchema.safeParse(heartbeat).success)
      throw new UsageError(
        `--job-dead-after-ms (COMIND_JOB_DEAD_AFTER_MS) must be at least ${MIN_MISSED_BEATS} × --job-heartbeat-ms (COMIND_JOB_HEARTBEAT_MS), got ${flags.jobDeadAfterMs} and ${flags.jobHeartbeatMs}: a node is taken for dead only after missing ${MIN_MISSED_BEATS} beats.`,
      );
    const oidc = oidcFromEnv();
    const dataDir = flags.data ?? "./data";
    const { store, cleanup } = await openWhenReachable(() =>
      openStoreFrom({ ...flags, data: dataDir }, dataDir, {
        pool: poolSettingsFromEnv(flags.workers),
        backgroundCheckpoints: true,
      }),
    );
    let serverLog: {
      info(details: object, message: string): void;
      warn(details: object, message: string): void;
    };
    const runtime = await createActionRuntime({
      notifications: notificationsFrom(flags, (level, message, details) =>
        serverLog[level](details, message),
      ),
      store,
      workspace: flags.workspace,
      limits: limitsFrom(flags),
      documents: documentsFrom(flags),
      allowHosts: allowHosts(flags),
      envFile: flags.env,
      workers: flags.workers,
      workerMemoryMb: flags.workerMemoryMb,
    });
    const log = createServerLog(process.env.LOG_LEVEL ?? "info");
    const jobs = flags.jobs ?? Math.max(flags.workers, 1) * 2;
    // Until the server (and its logger) exists, queue errors go to stderr.
    let logQueueError = (error: unknown) => console.error("job queue error:", String(error));
    let logQueueWarning = (message: string, details: object) =>
      console.error(`job queue: ${message}`, JSON.stringify(details));
    const queue = await openQueue(store, {
      concurrency: Math.max(jobs, 1),
      lockTimeoutMs: flags.jobLockTimeoutMs,
      ...heartbeat,
      graphileSchema: flags.queueSchema,
      quotas: quotasFrom(flags as unknown as Record<string, unknown>),
      onError: (error) => logQueueError(error),
      onWarning: (message, details) => logQueueWarning(message, details),
    });
    runtime.useQueue(queue);
    const server = await createServer({
      runtime,
      store,
      queue,
      workspace: flags.workspace,
      dataDir,
      oidc,
      logger: log.logger,
      console: flags.console ?? isLoopback(flags.host),
    });
    serverLog = server.log;
    logUnhandledRejections(server.log);
    logQueueError = (error) => server.log.error({ error: String(error) }, "job queue error");
    logQueueWarning = (message, details) => server.log.warn(details, message);
    const progress = createProgress(process.stdout);
    const apps = await runtime.loadAppsFrom(
      flags.apps,
      (dir, error) => {
        progress.done();
        server.log.error(
          { app: dir, error: publicError(error) },
          "app not installed: fix it (see `comind-runtime check`) and restart",
        );
      },
      (index, total) => progress.update(`building apps: ${index + 1}/${total}`),
    );
    progress.done();
    const node = jobs > 0 ? await startJobNode(runtime, queue, server.log) : { stop: () => queue.close() };
    await server.listen({ port: flags.port, host: flags.host });
    runtime.servesAt(flags.publicUrl ?? ownUrl(server.server.address(), flags.host));
    server.log.info(
      { workspace: flags.workspace, apps: apps.map((app) => app.alias), store: store.kind, jobs },
      "serving; create an API token with `npx comind-runtime token create <user> --admin`",
    );
    log.flush();
    const stopWatching = mode.watch
      ? await watchApps(runtime, flags.apps, server.log)
      : async () => undefined;
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      await stopWatching();
      server.log.info({ signal }, "shutting down: finishing running requests");
      await server.close();
      await node.stop();
      await runtime.close();
      await closeAgents();
      await cleanup();
      log.flush();
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  });
}

export function registerServe(program: Command): void {
  serveCommand(program, "serve", "serve the REST API (seed 000) with record actions that run action logic", {
    watch: false,
    workers: availableParallelism(),
    example: "npx comind-runtime serve --apps ./apps --data ./data --port 8080 --workers 2",
  });
  serveCommand(
    program,
    "dev",
    "serve for app development: isolates in-process, apps rebuilt when their files change",
    {
      watch: true,
      workers: 0,
      example: "npx comind-runtime dev --apps ./apps --env .env --allow-host 127.0.0.1",
    },
  );
}

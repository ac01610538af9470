/**
 * `comind-runtime serve`: the REST API over the store with every app in --apps installed in the
 * workspace. SIGTERM/SIGINT: stop accepting, finish running requests, close the store.
 * `comind-runtime dev`: the same for app developers, rebuilding apps as their files change.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Option, type Command } from "commander";
import { ADMISSION_RANGES, DEFAULT_ADMISSION, RUNTIME_RANGES } from "../runs/index.ts";
import { DEFAULT_DRAIN_MS } from "../server/index.ts";
import { DEFAULT_RETENTION_DAYS, RETENTION_RANGE } from "../jobs/index.ts";
import { DEFAULT_WARM_ISOLATES_MB, DEFAULT_WORKER_NICE } from "../sandbox/index.ts";
import {
  DEFAULT_HEARTBEAT,
  DEFAULT_LOCK_TIMEOUT_MS,
  HEARTBEAT_RANGES,
  heartbeatOptionsSchema,
  MIN_MISSED_BEATS,
  QUEUE_RANGES,
} from "../queue/index.ts";
import { withHelp } from "./help.ts";
import { logFormatOption } from "./log-format.ts";
import { TRACING_ENV } from "./tracing.ts";
import { addSandboxOptions, SANDBOX_ENV } from "./options.ts";
import { booleanOption, CLI_RANGES, numberOption, parseNumber } from "./option-schema.ts";
import { UsageError } from "./output.ts";
import { addQuotaOptions } from "./quota-options.ts";
import { addMailInOptions } from "./mail-in-options.ts";
import { type ServeFlags, startServing } from "./serving.ts";

/** Days of run log and queue runs kept: a whole number, or `off` (= 0, keep forever). */
export function parseRetentionDays(text: string): number {
  if (text.trim().toLowerCase() === "off") return 0;
  try {
    return parseNumber("--run-retention-days (COMIND_RUN_RETENTION_DAYS)", RETENTION_RANGE, text);
  } catch {
    throw new UsageError(
      `--run-retention-days (COMIND_RUN_RETENTION_DAYS) must be a whole number of days from 0 to ${RETENTION_RANGE.max.toLocaleString("en")}, or "off" (0 and off keep everything), got ${JSON.stringify(text.slice(0, 40))}.`,
    );
  }
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
          "--warm-isolates-mb",
          `what idle warm app isolates may take in all workers together; beyond it the least recently used are evicted (default ${DEFAULT_WARM_ISOLATES_MB}, about 2.65 MB per warm app)`,
          RUNTIME_RANGES.warmIsolatesMb,
          "COMIND_WARM_ISOLATES_MB",
        ),
      )
      .addOption(
        numberOption(
          "--worker-nice",
          `how much lower the worker processes' CPU priority is than the server's, 0-19 (default ${DEFAULT_WORKER_NICE}): the server's main thread, which every action passes through, goes first when the cores are busy`,
          RUNTIME_RANGES.workerNice,
          "COMIND_WORKER_NICE",
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
          QUEUE_RANGES.lockTimeoutMs,
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
      )
      .addOption(
        numberOption(
          "--max-running-actions",
          `actions run on request at once (default ${DEFAULT_ADMISSION.maxRunning}); more wait`,
          ADMISSION_RANGES.maxRunning,
          "COMIND_MAX_RUNNING_ACTIONS",
        ),
      )
      .addOption(
        numberOption(
          "--max-waiting-actions",
          `actions waiting for a place (default ${DEFAULT_ADMISSION.maxWaiting}); one more is refused 503 overloaded`,
          ADMISSION_RANGES.maxWaiting,
          "COMIND_MAX_WAITING_ACTIONS",
        ),
      )
      .addOption(
        new Option(
          "--run-retention-days <n|off>",
          `run-log rows and finished queue runs older than this many days are trimmed hourly; 0 or off keeps them (default ${DEFAULT_RETENTION_DAYS})`,
        )
          .env("COMIND_RUN_RETENTION_DAYS")
          .argParser(parseRetentionDays)
          .default(DEFAULT_RETENTION_DAYS),
      )
      .addOption(
        numberOption(
          "--shutdown-drain-ms",
          "at SIGTERM, how long open connections get their 503 shutting_down before they are closed",
          CLI_RANGES.shutdownDrainMs,
          "COMIND_SHUTDOWN_DRAIN_MS",
        ).default(DEFAULT_DRAIN_MS),
      )
      .addOption(
        new Option(
          "--otel-endpoint <url>",
          "send OpenTelemetry traces to this OTLP/HTTP collector (base URL, e.g. http://127.0.0.1:4318); default: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else off",
        ),
      )
      .addOption(
        booleanOption(
          "--warm-up",
          "before saying it is ready, run a built-in app's actions through a throwaway copy of the request path so the first user's action is not a cold start (default on; ~0.3 s of CPU at start)",
          "COMIND_WARM_UP",
        ),
      )
      .addOption(
        booleanOption(
          "--metrics",
          "serve Prometheus metrics at /metrics (default on; loopback clients only unless --metrics-token is set)",
          "COMIND_METRICS",
        ),
      )
      .addOption(
        new Option(
          "--metrics-token <token>",
          "bearer token a scraper must send to /metrics; lets it scrape from any address",
        ).env("COMIND_METRICS_TOKEN"),
      )
      .addOption(
        new Option(
          "--record-runs <mode>",
          "which runs keep a recording for `replay` (an app's recordRuns setting wins)",
        )
          .choices(["failed", "all", "off"])
          .env("COMIND_RECORD_RUNS")
          .default("failed"),
      )
      .addOption(
        new Option(
          "--record-sensitive-field <field>",
          "a field whose values never go into a recording (repeatable, or a comma list)",
        )
          .env("COMIND_RECORD_SENSITIVE_FIELDS")
          .argParser((value: string, previous: string[] = []) => [
            ...previous,
            ...value
              .split(",")
              .map((field) => field.trim())
              .filter(Boolean),
          ])
          .default([]),
      )
      .addOption(logFormatOption()),
    { json: false },
  );
  addQuotaOptions(command);
  addMailInOptions(command);
  withHelp(command, {
    env: {
      ...SANDBOX_ENV,
      LOG_LEVEL: "log level of the logs on stdout (default info)",
      ...TRACING_ENV,
      OIDC_ISSUER:
        "accept Bearer JWTs from this issuer; needs OIDC_AUDIENCE (or OIDC_SKIP_AUDIENCE=true); also JWKS_URL, OIDC_ADMIN_CLAIM + OIDC_ADMIN_VALUE, OIDC_GROUPS_CLAIM",
    },
    exitCodes: {
      0: "stopped by SIGTERM / SIGINT after finishing running requests",
      1: "the store cannot be opened (store_unavailable), or the server cannot listen: port_in_use, port_forbidden (below 1024), host_unavailable",
      2: "bad usage: a missing --apps folder, a bad --port, --workers or quota option, OIDC_ISSUER without OIDC_AUDIENCE",
    },
    examples: [mode.example],
  });
  command.action(async (flags: ServeFlags, self: Command) => {
    if (!existsSync(flags.apps)) throw new UsageError(`Apps folder "${flags.apps}" does not exist.`);
    // Each flag's range is checked by its parser; what is left is the schema's rule between them.
    const heartbeat = { heartbeatMs: flags.jobHeartbeatMs, deadAfterMs: flags.jobDeadAfterMs };
    if (!heartbeatOptionsSchema.safeParse(heartbeat).success)
      throw new UsageError(
        `--job-dead-after-ms (COMIND_JOB_DEAD_AFTER_MS) must be at least ${MIN_MISSED_BEATS} × --job-heartbeat-ms (COMIND_JOB_HEARTBEAT_MS), got ${flags.jobDeadAfterMs} and ${flags.jobHeartbeatMs}: a node is taken for dead only after missing ${MIN_MISSED_BEATS} beats.`,
      );
    if (flags.metrics === false && flags.metricsToken)
      throw new UsageError(
        "--metrics-token (COMIND_METRICS_TOKEN) is set but --metrics (COMIND_METRICS) is off: drop one of them.",
      );
    await startServing(flags, self, mode.watch);
  });
}

/**
 * Default `--workers`: a sandbox worker process per core but one, at least one. The server's main
 * thread (HTTP, access checks, commits) is the busiest thread of `serve`; with a worker per core
 * the workers competed with it for every core, and each worker is one more process to wake per
 * action (2 cores: one worker did 1.25x the actions/s of two, with less CPU per action in the
 * server and the workers alike; docs/performance.md). A worker's isolate memory grows to match
 * (defaultWorkerMemoryMb divides by the workers).
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

export function registerServe(program: Command): void {
  serveCommand(program, "serve", "serve the REST API (seed 000) with record actions that run action logic", {
    watch: false,
    workers: defaultWorkerCount(),
    example: "npx comind-runtime serve --apps ./apps --data ./data --port 8080 --workers 2",
  });
  serveCommand(
    program,
    "dev",
    "serve for app development: isolates in-process, apps rebuilt when their files change",
    {
      watch: true,
      workers: 0,
      example: "npx comind-runtime dev --apps ./apps --allow-host 127.0.0.1 --port 8081",
    },
  );
}

/**
 * Options shared by every command that runs actions or reads the store; each one can also be
 * set by an environment variable (docs/cli.md, options table).
 */
import { type Command, Option } from "commander";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type PoolSettings, sqliteFile, type Store } from "../store/index.ts";
import { DEFAULT_LIMITS, LIMIT_RANGES, type LimitOverrides } from "../sandbox/index.ts";
import { CONTENT_LIMITS, DOCUMENT_RANGES, type DocumentPoolOptions } from "../host/index.ts";
import { DEFAULT_MAIL_RETRIES, MAIL_RETRY_RANGES } from "../notify/index.ts";
import { numberOption } from "./option-schema.ts";
import { UsageError } from "./output.ts";

export interface StoreFlags {
  data?: string;
  databaseUrl?: string;
}

export interface SandboxFlags extends StoreFlags {
  env?: string;
  allowHost: string[];
  cpuMs?: number;
  wallMs?: number;
  memoryMb?: number;
  maxImagePixels?: number;
  workspace: string;
  json?: boolean;
  smtpUrl?: string;
  mailFrom?: string;
  mailAttempts?: number;
  mailBackoffMs?: number;
}

const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean),
];

/** `json: false` for commands that print logs rather than one result (serve, dev). */
export function addStoreOptions(command: Command, { json = true } = {}): Command {
  command
    .addOption(new Option("--data <dir>", "folder of the embedded SQLite store and files").env("COMIND_DATA"))
    .addOption(new Option("--database-url <url>", "Postgres store instead of --data").env("DATABASE_URL"));
  return json
    ? command.addOption(new Option("--json", "machine-readable output: one JSON document on stdout"))
    : command;
}

export function addSandboxOptions(command: Command, { json = true } = {}): Command {
  return addStoreOptions(command, { json })
    .addOption(new Option("--env <file>", "dotenv file with COMIND_SECRET_* values"))
    .addOption(
      new Option("--allow-host <host>", "allow egress to an otherwise refused host (repeatable)")
        .argParser(collect)
        .default([]),
    )
    .addOption(
      numberOption(
        "--cpu-ms",
        `CPU limit of one action (default ${DEFAULT_LIMITS.cpuMs})`,
        LIMIT_RANGES.cpuMs,
        "COMIND_CPU_MS",
      ),
    )
    .addOption(
      numberOption(
        "--wall-ms",
        `wall-clock limit of one action (default ${DEFAULT_LIMITS.wallMs})`,
        LIMIT_RANGES.wallMs,
        "COMIND_WALL_MS",
      ),
    )
    .addOption(
      numberOption(
        "--memory-mb",
        `isolate heap limit (default ${DEFAULT_LIMITS.memoryMb})`,
        LIMIT_RANGES.memoryMb,
        "COMIND_MEMORY_MB",
      ),
    )
    .addOption(
      numberOption(
        "--max-image-pixels",
        `largest image (width × height) writePdfFileRef draws (default ${CONTENT_LIMITS.imagePixels})`,
        DOCUMENT_RANGES.maxImagePixels,
        "COMIND_MAX_IMAGE_PIXELS",
      ),
    )
    .addOption(
      new Option("--workspace <alias>", "workspace the apps are installed in")
        .env("COMIND_WORKSPACE")
        .default("DEMO"),
    )
    .addOption(
      new Option("--smtp-url <url>", "SMTP server for __sendNotifications e-mails (unset: logged only)").env(
        "SMTP_URL",
      ),
    )
    .addOption(new Option("--mail-from <address>", "sender of notification e-mails").env("SMTP_FROM"))
    .addOption(
      numberOption(
        "--mail-attempts",
        `attempts of a queued e-mail before its run is dead (default ${DEFAULT_MAIL_RETRIES.maxAttempts})`,
        MAIL_RETRY_RANGES.maxAttempts,
        "COMIND_MAIL_ATTEMPTS",
      ),
    )
    .addOption(
      numberOption(
        "--mail-backoff-ms",
        `wait before a queued e-mail's second attempt, doubling after each (default ${DEFAULT_MAIL_RETRIES.backoffMs}, at most ${DEFAULT_MAIL_RETRIES.maxBackoffMs / 60_000} min)`,
        MAIL_RETRY_RANGES.backoffMs,
        "COMIND_MAIL_BACKOFF_MS",
      ),
    );
}

/** SMTP settings of `__sendNotifications`; `log` is the server log (stderr JSON lines by default). */
export function notificationsFrom(
  flags: SandboxFlags,
  log?: (level: "info" | "warn", message: string, details: Record<string, unknown>) => void,
) {
  return {
    smtpUrl: flags.smtpUrl,
    from: flags.mailFrom,
    log,
    retries: { maxAttempts: flags.mailAttempts, backoffMs: flags.mailBackoffMs },
  };
}

/** Variables the sandbox commands read besides those of their options (for --help). */
export const SANDBOX_ENV: Record<string, string> = {
  COMIND_ALLOW_HOSTS: "egress allow-list, comma separated (added to --allow-host)",
  "COMIND_SECRET_*": "secret values for the apps (also from --env FILE)",
};

/** --allow-host flags plus COMIND_ALLOW_HOSTS (comma list). */
export function allowHosts(flags: SandboxFlags): string[] {
  const fromEnv = (process.env.COMIND_ALLOW_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean);
  return [...new Set([...flags.allowHost, ...fromEnv])];
}

export function limitsFrom(flags: SandboxFlags): LimitOverrides {
  return { cpuMs: flags.cpuMs, wallMs: flags.wallMs, memoryMb: flags.memoryMb };
}

/** The document helpers' caps from the flags (`documents` of createActionRuntime). */
export function documentsFrom(flags: SandboxFlags): DocumentPoolOptions {
  return { maxImagePixels: flags.maxImagePixels };
}

/**
 * Opens the store the flags name; without --data/--database-url, a temporary one when allowed.
 * `mustExist` (commands that only read): a data folder without a store is an error naming the
 * folder as the user wrote it, instead of a new empty store behind a mistyped --data.
 */
export async function openStoreFrom(
  flags: StoreFlags,
  fallback: "temp" | "required" | string,
  options: { mustExist?: boolean; pool?: PoolSettings; backgroundCheckpoints?: boolean } = {},
): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const dataDir = flags.data ?? (fallback === "temp" || fallback === "required" ? undefined : fallback);
  if (options.mustExist && !flags.databaseUrl && dataDir && !existsSync(sqliteFile(dataDir)))
    throw new UsageError(
      `There is no store in "${dataDir}" (no comind.sqlite there): check --data / COMIND_DATA, or run an action or \`serve\` first to create one.`,
    );
  if (flags.databaseUrl || flags.data) {
    const store = await openStore({
      dataDir: flags.data ?? "./data",
      databaseUrl: flags.databaseUrl,
      pool: options.pool,
      backgroundCheckpoints: options.backgroundCheckpoints,
    });
    return { store, cleanup: () => store.close() };
  }
  if (fallback === "required")
    throw new UsageError("Name the store with --data <dir> or --database-url <url>.");
  if (fallback !== "temp") {
    const store = await openStore({
      dataDir: fallback,
      backgroundCheckpoints: options.backgroundCheckpoints,
    });
    return { store, cleanup: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), "comind-run-"));
  const store = await openStore({ dataDir: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Options shared by every command that runs actions or reads the store; each one can also be
 * set by an environment variable (README "CLI", options table).
 */
import { type Command, Option } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type PoolSettings, type Store } from "../store/index.ts";
import { DEFAULT_LIMITS, type SandboxLimits } from "../sandbox/index.ts";
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
  workspace: string;
  json?: boolean;
}

function positiveInt(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new UsageError(`${name} must be a positive whole number, got "${value}".`);
    return parsed;
  };
}

const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean),
];

export function addStoreOptions(command: Command): Command {
  return command
    .addOption(new Option("--data <dir>", "folder of the embedded SQLite store and files").env("COMIND_DATA"))
    .addOption(new Option("--database-url <url>", "Postgres store instead of --data").env("DATABASE_URL"))
    .addOption(new Option("--json", "machine-readable output: one JSON document on stdout"));
}

export function addSandboxOptions(command: Command): Command {
  return addStoreOptions(command)
    .addOption(new Option("--env <file>", "dotenv file with COMIND_SECRET_* values"))
    .addOption(
      new Option("--allow-host <host>", "allow egress to an otherwise refused host (repeatable)")
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option("--cpu-ms <n>", `CPU limit of one action (default ${DEFAULT_LIMITS.cpuMs})`)
        .argParser(positiveInt("--cpu-ms"))
        .env("COMIND_CPU_MS"),
    )
    .addOption(
      new Option("--wall-ms <n>", `wall-clock limit of one action (default ${DEFAULT_LIMITS.wallMs})`)
        .argParser(positiveInt("--wall-ms"))
        .env("COMIND_WALL_MS"),
    )
    .addOption(
      new Option("--memory-mb <n>", `isolate heap limit (default ${DEFAULT_LIMITS.memoryMb})`)
        .argParser(positiveInt("--memory-mb"))
        .env("COMIND_MEMORY_MB"),
    )
    .addOption(
      new Option("--workspace <alias>", "workspace the apps are installed in")
        .env("COMIND_WORKSPACE")
        .default("DEMO"),
    );
}

/** --allow-host flags plus COMIND_ALLOW_HOSTS (comma list). */
export function allowHosts(flags: SandboxFlags): string[] {
  const fromEnv = (process.env.COMIND_ALLOW_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean);
  return [...new Set([...flags.allowHost, ...fromEnv])];
}

export function limitsFrom(flags: SandboxFlags): Partial<SandboxLimits> {
  return { cpuMs: flags.cpuMs, wallMs: flags.wallMs, memoryMb: flags.memoryMb };
}

/** Opens the store the flags name; without --data/--database-url, a temporary one when allowed. */
export async function openStoreFrom(
  flags: StoreFlags,
  fallback: "temp" | "required" | string,
  pool?: PoolSettings,
): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (flags.databaseUrl || flags.data) {
    const store = await openStore({ dataDir: flags.data ?? "./data", databaseUrl: flags.databaseUrl, pool });
    return { store, cleanup: () => store.close() };
  }
  if (fallback === "required")
    throw new UsageError("Name the store with --data <dir> or --database-url <url>.");
  if (fallback !== "temp") {
    const store = await openStore({ dataDir: fallback });
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

/**
 * `serve`'s enqueue quota options (runtime/queue/quota-limits.ts): each also set by an environment
 * variable; a value out of range is bad usage (exit 2). Unset: DEFAULT_QUOTAS.
 */
import type { Command } from "commander";
import { DEFAULT_QUOTAS, QUOTA_RANGES, type QuotaLimits } from "../queue/index.ts";
import { numberOption } from "./option-schema.ts";

const OPTIONS: { key: keyof QuotaLimits; flag: string; env: string; what: string }[] = [
  {
    key: "pendingPerUser",
    flag: "--max-pending-per-user",
    env: "COMIND_MAX_PENDING_PER_USER",
    what: "queued + running runs one user may have in one app",
  },
  {
    key: "pendingPerApp",
    flag: "--max-pending-per-app",
    env: "COMIND_MAX_PENDING_PER_APP",
    what: "queued + running runs of one app",
  },
  {
    key: "ratePerUser",
    flag: "--enqueue-rate-per-user",
    env: "COMIND_ENQUEUE_RATE_PER_USER",
    what: "enqueues per second one user may make in one app, on each node",
  },
  {
    key: "burstPerUser",
    flag: "--enqueue-burst-per-user",
    env: "COMIND_ENQUEUE_BURST_PER_USER",
    what: "enqueues one user may make at once after a quiet spell",
  },
  {
    key: "ratePerApp",
    flag: "--enqueue-rate-per-app",
    env: "COMIND_ENQUEUE_RATE_PER_APP",
    what: "enqueues per second into one app, on each node",
  },
  {
    key: "burstPerApp",
    flag: "--enqueue-burst-per-app",
    env: "COMIND_ENQUEUE_BURST_PER_APP",
    what: "enqueues into one app at once after a quiet spell",
  },
];

export type QuotaFlags = Partial<QuotaLimits>;

export function addQuotaOptions(command: Command): Command {
  for (const { key, flag, env, what } of OPTIONS) {
    command.addOption(numberOption(flag, `${what} (default ${DEFAULT_QUOTAS[key]})`, QUOTA_RANGES[key], env));
  }
  return command;
}

/** The server's quotas from the parsed flags (commander names them by the flag, camel-cased). */
export function quotasFrom(flags: Record<string, unknown>): Partial<QuotaLimits> {
  const quotas: Partial<QuotaLimits> = {};
  for (const { key, flag } of OPTIONS) {
    const name = flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (typeof flags[name] === "number") quotas[key] = flags[name] as number;
  }
  return quotas;
}

/**
 * The one parser of the CLI's option and environment values: numbers are checked by the zod
 * range of what they configure (runtime/limits.ts, the queue's quotas, the runtime's options...),
 * booleans accept on/off, true/false, 1/0, yes/no. A bad value is bad usage: exit 2 with one line
 * naming the option and its variable and what is accepted, e.g.
 *   --cpu-ms (COMIND_CPU_MS) must be a whole number from 1 to 86,400,000, got "0".
 */
import { Option } from "commander";
import { z } from "zod";
import { type NumberRange, numberIn, rangeText } from "../config-schema.ts";
import { UsageError } from "./output.ts";

/** Ranges that belong to the CLI itself (the others come from what they configure). */
export const CLI_RANGES = {
  port: { min: 0, max: 65_535, whole: true },
  jobs: { min: 0, max: 256, whole: true },
  jobLockTimeoutMs: { min: 1_000, max: 86_400_000, whole: true },
  shutdownDrainMs: { min: 0, max: 600_000, whole: true },
  listLimit: { min: 1, max: 1_000_000, whole: true },
  dbPoolSize: { min: 1, max: 1_000, whole: true },
  dbTimeoutMs: { min: 1, max: 86_400_000, whole: true },
  tokenAgeSeconds: { min: 1, max: 31_536_000, whole: true },
} as const satisfies Record<string, NumberRange>;

const shown = (text: string) => JSON.stringify(text.slice(0, 40));

/** `name` ("--port (PORT)" or "OIDC_MAX_TOKEN_AGE") names the value in the refusal. */
export function parseNumber(name: string, range: NumberRange, text: string): number {
  const parsed = numberIn(range).safeParse(text.trim() === "" ? Number.NaN : Number(text));
  if (!parsed.success) throw new UsageError(`${name} ${rangeText(range)}, got ${shown(text)}.`);
  return parsed.data;
}

const TRUE = ["true", "1", "yes", "on"];
const FALSE = ["false", "0", "no", "off"];
const booleanText = z.enum([...TRUE, ...FALSE]);

export function parseBoolean(name: string, text: string): boolean {
  const parsed = booleanText.safeParse(text.trim().toLowerCase());
  if (!parsed.success)
    throw new UsageError(`${name} must be "true" or "false" (also on/off, yes/no, 1/0), got ${shown(text)}.`);
  return TRUE.includes(parsed.data);
}

const nameOf = (flag: string, env?: string) => (env ? `${flag} (${env})` : flag);

/** A number option `--flag <n>`, also set by `env`: refused outside `range`, never clamped. */
export function numberOption(flag: string, description: string, range: NumberRange, env?: string): Option {
  const option = new Option(`${flag} <n>`, description).argParser((text: string) =>
    parseNumber(nameOf(flag, env), range, text),
  );
  return env ? option.env(env) : option;
}

/** An on/off option `--flag <on|off>`, also set by `env`. */
export function booleanOption(flag: string, description: string, env?: string): Option {
  const option = new Option(`${flag} <on|off>`, description).argParser((text: string) =>
    parseBoolean(nameOf(flag, env), text),
  );
  return env ? option.env(env) : option;
}

/** A number set only by an environment variable; unset or empty: undefined. */
export function envNumber(
  name: string,
  range: NumberRange,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === "" ? undefined : parseNumber(name, range, raw);
}

/** A boolean set only by an environment variable; unset or empty: false. */
export function envBoolean(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name];
  return raw === undefined || raw === "" ? false : parseBoolean(name, raw);
}

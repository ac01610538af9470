/**
 * The dotenv file of the commands that run apps (run, serve, dev, secrets): `--env <file>`, or
 * else `./.env` when there is one (as wrangler reads `.dev.vars`), so `cp .env.example .env` is
 * all an app repository needs. Only `COMIND_SECRET_*` names are read from it, and a variable
 * already set in the process environment wins. The note says how many were loaded — names only,
 * never values.
 *
 * @example
 *   const env = resolveEnvFile(flags.env); // { path: ".env", note: "loaded 2 variables from .env" }
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "dotenv";
import { SECRET_PREFIX } from "../bundle/index.ts";
import { UsageError } from "./output.ts";

export const DEFAULT_ENV_FILE = ".env";

export interface EnvFile {
  /** The file to read secrets from (undefined: none). */
  path?: string;
  /** One line for the user, e.g. "loaded 2 variables from .env"; undefined when no file is read. */
  note?: string;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** What the file gives the apps, in one line: counts and names, never values. */
export function envFileNote(path: string, parsed: Record<string, string>, env: NodeJS.ProcessEnv): string {
  const names = Object.keys(parsed);
  const secrets = names.filter((name) => name.startsWith(SECRET_PREFIX));
  const shadowed = secrets.filter((name) => env[name] !== undefined);
  const ignored = names.filter((name) => !name.startsWith(SECRET_PREFIX));
  const notes = [
    shadowed.length ? `set in the environment too, which wins: ${shadowed.join(", ")}` : "",
    ignored.length ? `ignored, only ${SECRET_PREFIX}* are read from it: ${ignored.join(", ")}` : "",
  ].filter(Boolean);
  return `loaded ${plural(secrets.length, "variable")} from ${path}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}

/**
 * @param named the `--env` value: a file named there must exist (bad usage otherwise)
 * @throws UsageError when the named file is missing or unreadable
 */
export function resolveEnvFile(named: string | undefined, env: NodeJS.ProcessEnv = process.env): EnvFile {
  const path = named ?? DEFAULT_ENV_FILE;
  if (!named && !existsSync(path)) return {};
  let parsed: Record<string, string>;
  try {
    parsed = parse(readFileSync(path));
  } catch {
    throw new UsageError(
      existsSync(path)
        ? `Cannot read the env file "${path}" (--env): check that it is a readable file.`
        : `The env file "${path}" (--env) does not exist: create it, or leave out --env to read ./${DEFAULT_ENV_FILE} when there is one.`,
    );
  }
  return { path, note: envFileNote(path, parsed, env) };
}

/**
 * Secrets of one app: only the `COMIND_SECRET_*` names its settings/secrets.ts declares, read from
 * the process environment first and then from the dotenv file an admin points at.
 */
import { readFileSync } from "node:fs";
import { parse } from "dotenv";
import { RuntimeError } from "../errors.ts";
import { SECRET_PREFIX } from "../bundle/index.ts";

export type SecretSource = Record<string, string | undefined>;

/** process.env over the dotenv file (dotenv's own precedence: the environment wins). */
export function loadSecretSource(envFile?: string, env: NodeJS.ProcessEnv = process.env): SecretSource {
  let fromFile: Record<string, string> = {};
  if (envFile) {
    try {
      fromFile = parse(readFileSync(envFile));
    } catch {
      throw new RuntimeError(
        "bad_request",
        `Cannot read the env file "${envFile}"; check the path passed to --env.`,
      );
    }
  }
  const source: SecretSource = {};
  for (const [name, value] of Object.entries({ ...fromFile, ...env })) {
    if (name.startsWith(SECRET_PREFIX) && value !== undefined) source[name] = value;
  }
  return source;
}

export function secretsFor(declared: string[], source: SecretSource): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of declared) {
    const value = source[name];
    if (typeof value === "string") secrets[name] = value;
  }
  return secrets;
}

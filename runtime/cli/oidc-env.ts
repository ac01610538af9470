/**
 * `serve`'s OIDC settings from the environment. An issuer needs an audience (`OIDC_AUDIENCE`) or
 * the explicit `OIDC_SKIP_AUDIENCE=true`; which claim makes an admin is `OIDC_ADMIN_CLAIM` +
 * `OIDC_ADMIN_VALUE` (none by default); the groups claim is `OIDC_GROUPS_CLAIM` (default `groups`).
 * A setting that does not add up is a usage error: serve exits 2 with one line saying what to set.
 * The values are checked by the server's own schema (server/options-schema.ts), so the CLI and
 * createServer refuse the same things.
 */
import { oidcConfigProblem, type OidcConfig, oidcConfigSchema } from "../server/index.ts";
import { maxTokenAgeFromEnv } from "./database-env.ts";
import { envBoolean } from "./option-schema.ts";
import { UsageError } from "./output.ts";

/** OidcConfig's fields and the variables that set them, to name the variable in a refusal. */
const VARIABLES: Record<string, string> = {
  issuer: "OIDC_ISSUER",
  jwksUrl: "JWKS_URL",
  audience: "OIDC_AUDIENCE",
  groupsClaim: "OIDC_GROUPS_CLAIM",
};

export function oidcFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER;
  if (!issuer) return undefined;
  const adminClaim = env.OIDC_ADMIN_CLAIM || env.OIDC_ADMIN_VALUE;
  const raw = {
    issuer,
    jwksUrl: env.JWKS_URL ?? `${issuer.replace(/\/$/, "")}/.well-known/jwks.json`,
    audience: env.OIDC_AUDIENCE || undefined,
    skipAudience: envBoolean("OIDC_SKIP_AUDIENCE", env),
    ...(adminClaim
      ? { adminClaim: { claim: env.OIDC_ADMIN_CLAIM ?? "", value: env.OIDC_ADMIN_VALUE ?? "" } }
      : {}),
    ...(env.OIDC_GROUPS_CLAIM ? { groupsClaim: env.OIDC_GROUPS_CLAIM } : {}),
    maxTokenAgeSeconds: maxTokenAgeFromEnv(env),
  };
  const parsed = oidcConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    const variable = VARIABLES[field] ?? field;
    const value = String((raw as Record<string, unknown>)[field] ?? "").slice(0, 80);
    throw new UsageError(`${variable} ${issue?.message ?? "is not valid"}, got "${value}".`);
  }
  const problem = oidcConfigProblem(parsed.data);
  if (problem) throw new UsageError(problem);
  return parsed.data;
}

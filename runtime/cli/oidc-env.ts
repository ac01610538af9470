/**
 * `serve`'s OIDC settings from the environment. An issuer needs an audience (`OIDC_AUDIENCE`) or
 * the explicit `OIDC_SKIP_AUDIENCE=true`; which claim makes an admin is `OIDC_ADMIN_CLAIM` +
 * `OIDC_ADMIN_VALUE` (none by default); the groups claim is `OIDC_GROUPS_CLAIM` (default `groups`).
 * A setting that does not add up is a usage error: serve exits 2 with one line saying what to set.
 */
import { oidcConfigProblem, type OidcConfig } from "../server/index.ts";
import { maxTokenAgeFromEnv } from "./database-env.ts";
import { UsageError } from "./output.ts";

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  const v = value.toLowerCase();
  if (["true", "1", "yes", "on"].includes(v)) return true;
  if (["false", "0", "no", "off"].includes(v)) return false;
  throw new UsageError(`${name} must be "true" or "false", got "${value.slice(0, 40)}".`);
}

export function oidcFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER;
  if (!issuer) return undefined;
  const adminClaim = env.OIDC_ADMIN_CLAIM || env.OIDC_ADMIN_VALUE;
  const config: OidcConfig = {
    issuer,
    jwksUrl: env.JWKS_URL ?? `${issuer.replace(/\/$/, "")}/.well-known/jwks.json`,
    audience: env.OIDC_AUDIENCE || undefined,
    skipAudience: flag("OIDC_SKIP_AUDIENCE", env.OIDC_SKIP_AUDIENCE),
    ...(adminClaim
      ? { adminClaim: { claim: env.OIDC_ADMIN_CLAIM ?? "", value: env.OIDC_ADMIN_VALUE ?? "" } }
      : {}),
    ...(env.OIDC_GROUPS_CLAIM ? { groupsClaim: env.OIDC_GROUPS_CLAIM } : {}),
    maxTokenAgeSeconds: maxTokenAgeFromEnv(),
  };
  const problem = oidcConfigProblem(config);
  if (problem) throw new UsageError(problem);
  return config;
}

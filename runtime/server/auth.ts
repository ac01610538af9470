/**
 * Who is calling: `Authorization: CMW_AUTH_CODE <token>` (tokens made by `comind-runtime token
 * create`, stored as SHA-256 hashes) or `Bearer <JWT>` checked against the OIDC issuer's JWKS, its
 * audience (required unless explicitly skipped) and lifetime. Which claim makes an admin, and
 * which lists groups, is configuration (`OidcConfig`), never a fixed claim.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import type { Caller as CurrentUser } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";
import type { DirectoryPort, TokenPort } from "../store/index.ts";
import type { OidcConfig } from "./options-schema.ts";

export type { OidcConfig };

export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;

/** Tokens that never expire, or live longer than the configured maximum, are refused. */
function checkLifetime(payload: JWTPayload, maxAgeSeconds: number): void {
  if (typeof payload.exp !== "number")
    throw unauthorized("The bearer token has no expiry (exp claim); ask the issuer for tokens that expire.");
  const issuedAt = typeof payload.iat === "number" ? payload.iat : Math.floor(Date.now() / 1000);
  if (payload.exp - issuedAt > maxAgeSeconds)
    throw unauthorized(
      `The bearer token lives longer than the accepted ${maxAgeSeconds} s (exp - iat); ask the issuer for shorter-lived tokens.`,
    );
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Creates a token for a user; the token itself is returned once and never stored. `name` is the
 * user's display name when the user is new; `label` tells the user's tokens apart.
 */
export async function createToken(
  store: TokenPort & DirectoryPort,
  user: { id: string; name?: string; isAdmin?: boolean; label?: string },
): Promise<string> {
  const token = `cmw_${randomBytes(24).toString("base64url")}`;
  // Tokens belong to users: a token for an unknown user adds the user.
  if (!(await store.directory.findUser(user.id)))
    await store.directory.saveUser({
      id: user.id,
      email: null,
      name: user.name ?? user.id,
      timeZone: null,
      companyId: null,
      isGlobalAdmin: Boolean(user.isAdmin),
    });
  await store.saveToken({
    id: randomUUID(),
    tokenHash: hashToken(token),
    userId: user.id,
    userName: user.name ?? user.id,
    label: user.label ?? null,
    isAdmin: Boolean(user.isAdmin),
    createdAt: new Date().toISOString(),
  });
  return token;
}

const unauthorized = (message: string) => new RuntimeError("unauthorized", message);

/** Why this OIDC configuration must not be used, or null when it is fine. */
export function oidcConfigProblem(oidc: OidcConfig): string | null {
  if (!oidc.audience && !oidc.skipAudience)
    return "OIDC_ISSUER is set without OIDC_AUDIENCE: set OIDC_AUDIENCE to the audience your issuer puts in tokens for this server (or OIDC_SKIP_AUDIENCE=true to accept any audience).";
  if (oidc.audience && oidc.skipAudience)
    return "Set either OIDC_AUDIENCE or OIDC_SKIP_AUDIENCE=true, not both.";
  if (oidc.adminClaim && (!oidc.adminClaim.claim || !oidc.adminClaim.value))
    return "OIDC_ADMIN_CLAIM and OIDC_ADMIN_VALUE go together: set both (e.g. roles and admin) or neither.";
  return null;
}

/** A claim by dotted path (`realm_access.roles`); own properties only. */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split(".")) {
    if (!value || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function userFromJwt(payload: JWTPayload, oidc: OidcConfig): CurrentUser {
  const claims = payload as JWTPayload & {
    name?: string;
    email?: string;
    preferred_username?: string;
    zoneinfo?: unknown;
  };
  if (!claims.sub) throw unauthorized("The bearer token has no subject (sub) claim.");
  const listed = claimAt(payload, oidc.groupsClaim ?? "groups");
  const groups = Array.isArray(listed) ? listed.filter((g) => typeof g === "string") : [];
  const admin = oidc.adminClaim ? claimAt(payload, oidc.adminClaim.claim) : undefined;
  const isAdmin =
    oidc.adminClaim !== undefined &&
    (Array.isArray(admin) ? admin.includes(oidc.adminClaim.value) : admin === oidc.adminClaim.value);
  return {
    id: claims.sub,
    name: claims.name ?? claims.preferred_username ?? claims.sub,
    email: typeof claims.email === "string" ? claims.email : undefined,
    // JWT groups add to the user's groups in the store (resolveUser merges both).
    groups: groups.slice(0, 200),
    isAdmin,
    ...(typeof claims.zoneinfo === "string" ? { timeZone: claims.zoneinfo.slice(0, 64) } : {}),
  };
}

/** A valid token is looked up again after this long, so a revoked token stops working within it. */
export const TOKEN_CACHE_MS = 1_000;
const TOKEN_CACHE_MAX = 10_000;

/**
 * `findToken` with a short-lived cache of hits: one store read per token per second instead of
 * one per request. Misses are not cached (a token created now works at once).
 */
function cachedTokenLookup(store: TokenPort, ttlMs: number) {
  const cache = new Map<string, { user: CurrentUser; until: number }>();
  return async (credential: string): Promise<CurrentUser | null> => {
    const hash = hashToken(credential);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.user;
    const token = await store.findToken(hash);
    if (!token) {
      cache.delete(hash);
      return null;
    }
    const user = Object.freeze({ id: token.userId, name: token.userName, isAdmin: token.isAdmin });
    if (cache.size >= TOKEN_CACHE_MAX) cache.clear();
    cache.set(hash, { user, until: now + ttlMs });
    return user;
  };
}

/**
 * @param options.verifyShortLived checks the short-lived tokens of RestApi.setComindAuth() (JWTs
 *   sent as CMW_AUTH_CODE; API tokens have no dots, so the two never mix).
 */
export function createAuthenticator(
  store: TokenPort & DirectoryPort,
  oidc?: OidcConfig,
  options: { tokenCacheMs?: number; verifyShortLived?: (token: string) => Promise<CurrentUser | null> } = {},
) {
  const problem = oidc && oidcConfigProblem(oidc);
  if (problem) throw new RuntimeError("bad_request", problem);
  const jwks = oidc ? createRemoteJWKSet(new URL(oidc.jwksUrl)) : null;
  const findUser = cachedTokenLookup(store, options.tokenCacheMs ?? TOKEN_CACHE_MS);
  return async function authenticate(header: string | undefined): Promise<CurrentUser> {
    if (!header) throw unauthorized("Send an Authorization header: CMW_AUTH_CODE <token> or Bearer <jwt>.");
    const [scheme, credential, ...rest] = header.trim().split(/\s+/);
    if (!credential || rest.length)
      throw unauthorized('The Authorization header must be "CMW_AUTH_CODE <token>" or "Bearer <jwt>".');
    if (scheme === "CMW_AUTH_CODE" && credential.includes(".") && options.verifyShortLived) {
      const user = await options.verifyShortLived(credential);
      if (!user)
        throw unauthorized(
          "The short-lived auth code has expired or is not valid; call setComindAuth() again.",
        );
      return user;
    }
    if (scheme === "CMW_AUTH_CODE") {
      const user = await findUser(credential);
      if (!user)
        throw unauthorized(
          "The auth code is not valid; create one with `comind-runtime token create <user>`.",
        );
      return { ...user };
    }
    if (scheme.toLowerCase() === "bearer") {
      if (!jwks || !oidc)
        throw unauthorized(
          "Bearer tokens are not accepted: no OIDC issuer is configured (OIDC_ISSUER, JWKS_URL).",
        );
      try {
        const { payload } = await jwtVerify(credential, jwks, {
          issuer: oidc.issuer,
          audience: oidc.skipAudience ? undefined : oidc.audience,
          requiredClaims: ["exp"],
        });
        checkLifetime(payload, oidc.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS);
        return userFromJwt(payload, oidc);
      } catch (error) {
        if (error instanceof RuntimeError) throw error;
        const { claim, reason } = error as { claim?: unknown; reason?: unknown };
        if (claim === "exp" && reason === "missing")
          throw unauthorized(
            "The bearer token has no expiry (exp claim); ask the issuer for tokens that expire.",
          );
        throw unauthorized("The bearer token is not valid (signature, issuer, audience or expiry).");
      }
    }
    throw unauthorized(`Unknown authorization scheme "${scheme.slice(0, 20)}"; use CMW_AUTH_CODE or Bearer.`);
  };
}

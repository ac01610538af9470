/**
 * Console sign-in: the API token (or, where an OIDC issuer is configured, a Bearer JWT) is checked
 * with the REST API's own authenticator and kept in an HttpOnly, SameSite=Strict cookie scoped to
 * /console. Every console request re-checks it, so a revoked token signs the browser out.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Caller } from "../../access/index.ts";

export const COOKIE = "comind_console";

export type Authenticate = (header: string | undefined) => Promise<Caller>;

/** "cmw_..." -> "CMW_AUTH_CODE cmw_..."; a JWT (three dot-separated parts) -> "Bearer <jwt>". */
export function credentialHeader(input: string): string {
  const value = input.trim().replace(/^(CMW_AUTH_CODE|Bearer)\s+/i, "");
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value) ? `Bearer ${value}` : `CMW_AUTH_CODE ${value}`;
}

export async function userOf(request: FastifyRequest, authenticate: Authenticate): Promise<Caller | null> {
  const header = request.cookies?.[COOKIE];
  if (!header) return null;
  try {
    return await authenticate(header);
  } catch {
    return null;
  }
}

export function setSession(request: FastifyRequest, reply: FastifyReply, header: string): void {
  reply.setCookie(COOKIE, header, {
    path: "/console",
    httpOnly: true,
    sameSite: "strict",
    secure: request.protocol === "https",
    maxAge: 12 * 60 * 60,
  });
}

export function clearSession(reply: FastifyReply): void {
  reply.clearCookie(COOKIE, { path: "/console" });
}

/**
 * Forms post only from the console's own pages: SameSite=Strict keeps the cookie off cross-site
 * requests, and a present Origin header must be this server's.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

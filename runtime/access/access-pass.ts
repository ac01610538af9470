/**
 * Access passes (`ComindServer.getAccessPass(recordId, ttlSeconds?)`): a short-lived HS256 JWT,
 * signed with a key the store makes once, that lets whoever holds it read ONE record through
 * `GET /api/access-pass?pass={token}` without an account. Nothing else accepts it.
 */
import { jwtVerify, SignJWT } from "jose";
import { RuntimeError } from "../errors.ts";
import type { DirectoryPort } from "../store/index.ts";

export interface AccessPass {
  token: string;
  recordId: string;
  expiresAt: string;
}

const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 7 * 24 * 3600;
const AUDIENCE = "comind-runtime:access-pass";
const KEY_NAME = "access-pass";

async function signingKey(store: DirectoryPort): Promise<Uint8Array> {
  return new TextEncoder().encode(await store.directory.runtimeKey(KEY_NAME));
}

/** The lifetime of a pass in seconds: default 1 hour, at most 7 days. */
export function accessPassTtl(ttlSeconds: number | undefined): number {
  const ttl = ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS)
    throw new RuntimeError(
      "bad_request",
      `getAccessPass: ttlSeconds must be between 1 and ${MAX_TTL_SECONDS}.`,
    );
  return ttl;
}

export async function createAccessPass(
  store: DirectoryPort,
  pass: { workspace: string; app: string; recordId: string; issuedBy: string; ttlSeconds?: number },
): Promise<AccessPass> {
  const ttl = accessPassTtl(pass.ttlSeconds);
  const expires = Math.floor(Date.now() / 1000) + Math.ceil(ttl);
  const token = await new SignJWT({ ws: pass.workspace, app: pass.app })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(pass.recordId)
    .setAudience(AUDIENCE)
    .setIssuer(pass.issuedBy)
    .setExpirationTime(expires)
    .sign(await signingKey(store));
  return { token, recordId: pass.recordId, expiresAt: new Date(expires * 1000).toISOString() };
}

/** The record a pass admits; `unauthorized` when it is forged, expired or for another workspace. */
export async function readAccessPass(
  store: DirectoryPort,
  token: string,
  workspace: string,
): Promise<{ recordId: string; app: string }> {
  try {
    // No key yet means no pass was ever issued: refuse without writing anything.
    const key = await store.directory.existingRuntimeKey(KEY_NAME);
    if (!key) throw new Error("no key");
    const { payload } = await jwtVerify(token, new TextEncoder().encode(key), {
      audience: AUDIENCE,
      algorithms: ["HS256"],
    });
    if (payload.ws !== workspace || typeof payload.sub !== "string" || typeof payload.app !== "string")
      throw new Error("wrong workspace");
    return { recordId: payload.sub, app: payload.app };
  } catch {
    throw new RuntimeError(
      "unauthorized",
      "The access pass is not valid or has expired; ask for a new link.",
    );
  }
}

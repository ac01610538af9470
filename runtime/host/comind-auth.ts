/**
 * `RestApi.setComindAuth()`: a request to THIS runtime's own REST API is signed in as the user
 * who runs the action, with a short-lived HS256 token (`Authorization: CMW_AUTH_CODE <jwt>`, valid
 * 5 minutes) that the REST API accepts like an API token. The token is added on the host — logic
 * never sees it — and only when the request goes to the runtime's public URL, so a user's
 * credentials can never be sent to another server.
 */
import { randomBytes } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type { HttpRequestSpec } from "../../globals/bridge-contract.ts";
import type { Caller } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";

const AUDIENCE = "comind-runtime:comind-auth";
export const COMIND_AUTH_TTL_SECONDS = 300;

export interface ComindAuthOptions {
  /** Where this runtime's REST API is reached, e.g. http://127.0.0.1:8080 (COMIND_PUBLIC_URL). */
  publicUrl?: string;
  /** HMAC key of the tokens (the runtime passes one kept in the store); default: random per process. */
  signingKey?: () => Promise<Uint8Array>;
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin : null;
  } catch {
    return null;
  }
}

export class ComindAuth {
  private publicOrigin: string | null = null;
  private readonly signingKey: () => Promise<Uint8Array>;

  constructor(options: ComindAuthOptions = {}) {
    const key = randomBytes(32);
    this.signingKey = options.signingKey ?? (async () => key);
    if (options.publicUrl) this.setPublicUrl(options.publicUrl);
  }

  /** The origin of this runtime's REST API (serve sets it once it listens). */
  setPublicUrl(url: string): void {
    const origin = originOf(url);
    if (!origin) throw new RuntimeError("bad_request", `The public URL "${url}" is not an http(s) URL.`);
    this.publicOrigin = origin;
  }

  get publicUrl(): string | null {
    return this.publicOrigin;
  }

  /** The request with the user's short-lived token, when the logic asked for setComindAuth(). */
  async apply(spec: HttpRequestSpec, user: Caller): Promise<HttpRequestSpec> {
    if (!spec.comindAuth) return spec;
    if (!this.publicOrigin)
      throw new RuntimeError(
        "forbidden",
        "RestApi.setComindAuth(): this runtime serves no REST API here (run it with `serve`, or set COMIND_PUBLIC_URL).",
      );
    const target = originOf(spec.baseUrl);
    if (target !== this.publicOrigin)
      throw new RuntimeError(
        "forbidden",
        `RestApi.setComindAuth() signs in to this runtime's own REST API only (${this.publicOrigin}); point RestApi.createClient at it.`,
      );
    const token = await new SignJWT({
      name: user.name ?? user.id,
      adm: Boolean(user.isAdmin ?? user.isGlobalAdmin),
    })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.id)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + COMIND_AUTH_TTL_SECONDS)
      .sign(await this.signingKey());
    const headers = spec.headers.filter(([name]) => name.toLowerCase() !== "authorization");
    const { comindAuth: _used, bearerToken: _bearer, basicAuth: _basic, ...rest } = spec;
    return { ...rest, headers: [...headers, ["Authorization", `CMW_AUTH_CODE ${token}`]] };
  }

  /** The user of a token made by `apply`, or null when it is not one (or expired, or forged). */
  async verify(token: string): Promise<Caller | null> {
    try {
      const { payload } = await jwtVerify(token, await this.signingKey(), {
        audience: AUDIENCE,
        algorithms: ["HS256"],
      });
      if (typeof payload.sub !== "string") return null;
      return {
        id: payload.sub,
        name: typeof payload.name === "string" ? payload.name : payload.sub,
        isAdmin: payload.adm === true,
      };
    } catch {
      return null;
    }
  }
}

/**
 * Request and response headers. The host owns framing and connection headers (a user value would
 * break or smuggle the request) and never sends Accept-Encoding, so bodies arrive as sent.
 */
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";

export type HeaderList = [name: string, value: string][];

const HOST_OWNED = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
  "te",
  "trailer",
  "proxy-connection",
  "accept-encoding",
]);

/** Headers that may follow a redirect to another origin: none of them can carry a credential. */
const CROSS_ORIGIN_SAFE = new Set(["accept", "accept-language", "user-agent"]);

export const STANDARD_USER_AGENT = "comind-runtime";

const has = (headers: HeaderList, name: string) => headers.some(([key]) => key.toLowerCase() === name);

/** The user's headers plus auth and a User-Agent; basic auth or a bearer token replaces any Authorization header. */
export function requestHeaders(spec: HttpRequestSpec): HeaderList {
  let auth: string | null = null;
  if (spec.basicAuth)
    auth = `Basic ${Buffer.from(`${spec.basicAuth.user}:${spec.basicAuth.password}`).toString("base64")}`;
  else if (spec.bearerToken !== undefined) auth = `Bearer ${spec.bearerToken}`;
  const result: HeaderList = [];
  let userAgent = false;
  for (const [name, value] of spec.headers) {
    const key = name.toLowerCase();
    if (HOST_OWNED.has(key) || (auth !== null && key === "authorization")) continue;
    if (key === "user-agent") userAgent = true;
    result.push([name, value]);
  }
  if (auth !== null) result.push(["authorization", auth]);
  if (!userAgent) result.push(["user-agent", STANDARD_USER_AGENT]);
  return result;
}

/** What is left for another origin: Accept, Accept-Language, User-Agent, and Content-Type if the body goes too. */
export function crossOriginHeaders(headers: HeaderList, keepBody: boolean): HeaderList {
  return headers.filter(([name]) => {
    const key = name.toLowerCase();
    return CROSS_ORIGIN_SAFE.has(key) || (keepBody && key === "content-type");
  });
}

export function withoutContentType(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => name.toLowerCase() !== "content-type");
}

/**
 * The headers as undici takes them, a flat list of names and values, with `contentType` of the
 * body unless the user set a Content-Type themselves.
 */
export function flatHeaders(headers: HeaderList, contentType: string | undefined): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  if (contentType && !has(headers, "content-type")) flat.push("content-type", contentType);
  return flat;
}

/** undici's parsed response headers: names are lower case; repeated headers are joined with ", ". */
export function responseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * The next hop of a redirect, as browsers do it: 303 (and 301/302 after a POST) becomes a GET
 * without body; 307/308 repeat the request. A hop to another origin keeps only headers that
 * cannot carry a credential — custom ones such as X-API-Key are dropped with Authorization.
 */
import { HttpError, describeTarget } from "./errors.ts";
import { crossOriginHeaders, withoutContentType, type HeaderList } from "./headers.ts";
import { NO_BODY, type RequestBody } from "./request-body.ts";

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Hop {
  method: string;
  url: URL;
  headers: HeaderList;
  body: RequestBody;
}

/** The hop that follows `status` + `location`, or null when the response is not a redirect. */
export function nextHop(hop: Hop, status: number, location: string | string[] | undefined): Hop | null {
  if (!REDIRECT_STATUSES.has(status) || typeof location !== "string" || location === "") return null;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw new HttpError(
      "invalid_url",
      `${describeTarget(hop.method, hop.url)} redirected to an invalid URL; check the server or call the final URL directly.`,
    );
  }
  url.hash = "";
  let { method, headers, body } = hop;
  if (status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST") {
    method = "GET";
    body = NO_BODY;
    headers = withoutContentType(headers);
  }
  if (url.origin !== hop.url.origin) headers = crossOriginHeaders(headers, body !== NO_BODY);
  return { method, url, headers, body };
}

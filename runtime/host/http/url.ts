/**
 * The request URL: base URL + path, `{name}` segments and query parameters. The path is only ever
 * a path on the base host: `//169.254.169.254/x` or `http://other/x` cannot replace the client's
 * host, because the path is joined to the base path as text and never resolved as a URL.
 */
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";
import { HttpError } from "./errors.ts";

const QUERY_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);

/** RestSharp GetOrPost parameters: the query string, unless they can be the (form) body. */
export function paramsInQuery(spec: HttpRequestSpec): boolean {
  return QUERY_METHODS.has(spec.method) || (spec.jsonBody !== undefined && spec.files.length === 0);
}

export function isHttpScheme(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

function parseBase(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new HttpError(
      "invalid_url",
      'RestApi.createClient: the base URL is not an absolute URL; pass one such as "https://api.example.com".',
    );
  }
  if (!isHttpScheme(base))
    throw new HttpError(
      "egress_denied",
      `RestApi: only http and https URLs are allowed, not "${base.protocol}"; use an http(s) base URL.`,
    );
  if (base.username || base.password)
    throw new HttpError(
      "invalid_url",
      "RestApi.createClient: the base URL contains credentials; pass them with setHttpBasicAuth instead.",
    );
  return base;
}

/** Query pairs encoded like encodeURIComponent (a space is %20, which every server decodes). */
function encodePairs(pairs: [string, string][]): string {
  return pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&");
}

export function buildUrl(spec: HttpRequestSpec): URL {
  const base = parseBase(spec.baseUrl);
  let path = spec.path;
  for (const [name, value] of spec.segments) path = path.split(`{${name}}`).join(encodeURIComponent(value));
  const fragment = path.indexOf("#");
  if (fragment >= 0) path = path.slice(0, fragment);
  const mark = path.indexOf("?");
  const pathQuery = mark >= 0 ? path.slice(mark + 1) : "";
  if (mark >= 0) path = path.slice(0, mark);

  const url = new URL(base.origin);
  // One "/" between base path and path; "\\" means "/" in http URLs, and runs of "/" collapse so
  // "//host/x" stays a plain path.
  url.pathname = `${base.pathname}/${path}`.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
  const params = paramsInQuery(spec) ? spec.params : [];
  const query = [base.search.slice(1), pathQuery, encodePairs([...spec.query, ...params])]
    .filter(Boolean)
    .join("&");
  url.search = query;
  if (url.origin !== base.origin)
    throw new HttpError(
      "invalid_url",
      'RestApi: the request path must not change the client\'s host; pass a path such as "/v1/items".',
    );
  return url;
}

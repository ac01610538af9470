/**
 * The request URL: base URL + path, `{name}` segments and query parameters. The path is always a
 * path on the base host: `//evil.example/x` or `http://other/x` cannot replace the client's host.
 */
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";
import { httpError } from "./errors.ts";

const QUERY_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);

/** RestSharp GetOrPost parameters go to the query string unless they can go into a form body. */
export function paramsInQuery(spec: HttpRequestSpec): boolean {
  return QUERY_METHODS.has(spec.method) || spec.jsonBody !== undefined;
}

function parseBase(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw httpError("invalid_url", `RestApi.createClient: "${baseUrl.slice(0, 100)}" is not an absolute URL such as "https://api.example.com".`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw httpError("egress_denied", `RestApi: only http and https URLs are allowed, not "${base.protocol}".`);
  }
  if (base.username || base.password) throw httpError("invalid_url", "RestApi.createClient: put credentials in setHttpBasicAuth, not in the URL.");
  return base;
}

export function buildUrl(spec: HttpRequestSpec): URL {
  const base = parseBase(spec.baseUrl);
  let path = spec.path;
  for (const [name, value] of spec.segments) path = path.split(`{${name}}`).join(encodeURIComponent(value));
  const [pathPart, queryPart = ""] = path.split(/\?(.*)/s);
  // Only a path: collapse leading slashes and drop any scheme/authority-looking prefix into the path.
  const cleanPath = pathPart.replace(/^\/+/, "");
  const basePath = base.pathname.replace(/\/+$/, "");
  const url = new URL(base.origin);
  url.pathname = `${basePath}/${cleanPath}`.replace(/\/{2,}/g, "/");
  url.search = base.search;
  for (const [key, value] of new URLSearchParams(queryPart)) url.searchParams.append(key, value);
  for (const [key, value] of spec.query) url.searchParams.append(key, value);
  if (paramsInQuery(spec)) for (const [key, value] of spec.params) url.searchParams.append(key, value);
  if (url.origin !== base.origin) throw httpError("invalid_url", "RestApi: the request path must not change the client's host.");
  return url;
}

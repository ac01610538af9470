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

/** What a request needs of its client's base URL. */
interface BaseUrl {
  origin: string;
  pathname: string;
  /** without the "?" */
  query: string;
}

/**
 * Base URLs already parsed: an action sends most of its requests to one base, and URL parsing is
 * the dearest step of building a request. Only valid bases are kept; a bad one throws every time.
 */
const bases = new Map<string, Readonly<BaseUrl>>();
const MAX_CACHED_BASES = 256;

function parseBase(baseUrl: string): Readonly<BaseUrl> {
  const cached = bases.get(baseUrl);
  if (cached) return cached;
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
  const parsed = Object.freeze({ origin: base.origin, pathname: base.pathname, query: base.search.slice(1) });
  if (bases.size >= MAX_CACHED_BASES) bases.clear();
  bases.set(baseUrl, parsed);
  return parsed;
}

/**
 * A whole-URL parse trims trailing spaces and C0 controls, which the pathname and search setters
 * keep percent-encoded ("/a " is "/a%20"): encode them first. Tabs and newlines go either way.
 */
function keepTrailingSpaces(text: string): string {
  // Almost every URL ends in a printable character: no regular expression over the whole of it then.
  if (text.charCodeAt(text.length - 1) > 0x20) return text;
  return text.replace(/[\x00-\x20]+$/, (tail) =>
    tail
      .replace(/[\t\n\r]/g, "")
      .replace(/./gs, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`),
  );
}

/** Query pairs encoded like encodeURIComponent (a space is %20, which every server decodes), joined with "&". */
function appendPairs(query: string, pairs: readonly [string, string][]): string {
  for (const [name, value] of pairs) {
    const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    query = query ? `${query}&${pair}` : pair;
  }
  return query;
}

const needsCleanup = (text: string) => text.includes("//") || text.includes("\\");

/** One "/" between base path and path; "\\" means "/" in http URLs, and runs of "/" collapse. */
function joinPath(basePath: string, path: string): string {
  if (!needsCleanup(basePath) && !needsCleanup(path)) {
    // The common case, without regular expressions: a run of "/" can only be at the seam, where
    // the base path ends with at most one "/" and the path starts with at most one.
    const left = basePath.endsWith("/") ? basePath.slice(0, -1) : basePath;
    return path.startsWith("/") ? `${left}${path}` : `${left}/${path}`;
  }
  return `${basePath}/${path}`.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
}

/**
 * Request URLs already built, by their text (a client keeps one per action: an action often
 * calls the same URL again, and parsing is the dearest step of building it). Only URLs that
 * passed the host check are kept; nothing may change a URL taken from it (redirects.ts makes a
 * new URL for each hop).
 */
export class BuiltUrls {
  static readonly MAX = 64;
  readonly #urls = new Map<string, URL>();

  get(text: string): URL | undefined {
    return this.#urls.get(text);
  }

  set(text: string, url: URL): void {
    if (this.#urls.size >= BuiltUrls.MAX) this.#urls.clear();
    this.#urls.set(text, url);
  }
}

export function buildUrl(spec: HttpRequestSpec, built?: BuiltUrls): URL {
  const base = parseBase(spec.baseUrl);
  let path = spec.path;
  for (const [name, value] of spec.segments) path = path.split(`{${name}}`).join(encodeURIComponent(value));
  const fragment = path.indexOf("#");
  if (fragment >= 0) path = path.slice(0, fragment);
  const mark = path.indexOf("?");
  const pathQuery = mark >= 0 ? path.slice(mark + 1) : "";
  if (mark >= 0) path = path.slice(0, mark);

  // "//host/x" stays a plain path (joinPath). Neither part holds a "#" (nor the path a "?") any
  // more, so one parse of origin + path + query reads them as the pathname and search setters would.
  const pathname = joinPath(base.pathname, path);
  let query = base.query;
  if (pathQuery) query = query ? `${query}&${pathQuery}` : pathQuery;
  query = appendPairs(query, spec.query);
  if (paramsInQuery(spec)) query = appendPairs(query, spec.params);
  const text = keepTrailingSpaces(query ? `${base.origin}${pathname}?${query}` : `${base.origin}${pathname}`);
  const known = built?.get(text);
  if (known) return known;
  const url = new URL(text);
  if (url.origin !== base.origin)
    throw new HttpError(
      "invalid_url",
      'RestApi: the request path must not change the client\'s host; pass a path such as "/v1/items".',
    );
  built?.set(text, url);
  return url;
}

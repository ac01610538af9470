/**
 * One request with its redirects: every hop is checked against the egress policy at connect
 * time, and a hop to another origin drops every credential and custom header.
 */
import { errors as undiciErrors, type Dispatcher } from "undici";
import { RuntimeError } from "../../errors.ts";
import { agentFor, EGRESS_DENIED } from "./agent.ts";
import { defaultPort, isRestrictedAddress } from "./egress.ts";
import { describeTarget, httpError } from "./errors.ts";
import type { PreparedBody } from "./request-body.ts";

/** Headers that may follow a redirect to another origin; everything else may carry credentials. */
const CROSS_ORIGIN_SAFE = new Set(["accept", "accept-language", "user-agent"]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface SendOptions {
  method: string;
  url: URL;
  headers: [string, string][];
  body: PreparedBody;
  allowHosts: string[];
  maxRedirects: number;
  signal: AbortSignal;
  timeoutMs: number;
}

function flatHeaders(headers: [string, string][]): string[] {
  return headers.flatMap(([name, value]) => [name, value]);
}

function checkTarget(url: URL, allowHosts: string[], method: string): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw httpError("egress_denied", `${method} to a "${url.protocol}" URL is not allowed: only http and https.`);
  const { policy } = agentFor(allowHosts);
  const port = defaultPort(url);
  if (policy.wrongPort(url.hostname, port) || !policy.permits(url.hostname, url.hostname)) {
    throw httpError("egress_denied", `${describeTarget(method, url)} is refused: ${url.hostname} is a loopback, private or link-local address; an admin can allow it with --allow-host.`);
  }
}

function translate(error: unknown, options: SendOptions, url: URL): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const target = describeTarget(options.method, url);
  const code = (error as { code?: string })?.code;
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  if (code === EGRESS_DENIED || cause === EGRESS_DENIED) {
    return httpError("egress_denied", `${target} is refused: ${url.hostname} resolves to a loopback, private or link-local address; an admin can allow it with --allow-host.`);
  }
  if (options.signal.aborted || (error as Error)?.name === "TimeoutError" || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return httpError("timeout", `${target} did not finish within ${options.timeoutMs / 1000} s (setRequestTimeout changes this limit).`);
  }
  return httpError("network_error", `${target} failed: ${code ?? cause ?? "the connection could not be made"}.`);
}

export async function sendWithRedirects(options: SendOptions): Promise<{ response: Dispatcher.ResponseData; url: URL }> {
  let { method, url, headers, body } = options;
  const { agent } = agentFor(options.allowHosts);
  for (let hop = 0; ; hop++) {
    checkTarget(url, options.allowHosts, method);
    let response: Dispatcher.ResponseData;
    try {
      const contentType = body.contentType && !headers.some(([name]) => name.toLowerCase() === "content-type") ? [["content-type", body.contentType] as [string, string]] : [];
      response = await agent.request({ origin: url.origin, path: url.pathname + url.search, method: method as Dispatcher.HttpMethod, headers: flatHeaders([...headers, ...contentType]), body: body.body as any, signal: options.signal });
    } catch (error) {
      throw translate(error, options, url);
    }
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode) || typeof location !== "string") return { response, url };
    await response.body.dump().catch(() => undefined);
    if (hop >= options.maxRedirects) throw httpError("too_many_redirects", `${describeTarget(options.method, options.url)} was redirected more than ${options.maxRedirects} times.`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw httpError("invalid_url", `${describeTarget(method, url)} redirected to an invalid URL.`);
    }
    if (next.origin !== url.origin) headers = headers.filter(([name]) => CROSS_ORIGIN_SAFE.has(name.toLowerCase()));
    if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = { body: undefined };
      headers = headers.filter(([name]) => name.toLowerCase() !== "content-type");
    }
    url = next;
  }
}

export { isRestrictedAddress };

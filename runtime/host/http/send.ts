/**
 * Sends one request and follows its redirects by hand, so that every hop is checked against the
 * egress policy (IP literals here, resolved names in agent.ts) and loses its credentials when it
 * leaves the origin. Failures become HttpErrors that name the request, never its query string.
 */
import type { Dispatcher } from "undici";
import { EgressDenied, type EgressAgent } from "./agent.ts";
import { discard, UndecodableBody } from "./body.ts";
import type { Deadline } from "./deadline.ts";
import { effectivePort, type AllowList } from "./egress.ts";
import { HttpError, describeTarget } from "./errors.ts";
import { flatHeaders } from "./headers.ts";
import { nextHop, type Hop } from "./redirects.ts";
import { isHttpScheme } from "./url.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "the host name could not be resolved",
  EAI_AGAIN: "the host name could not be resolved",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  UND_ERR_SOCKET: "the server closed the connection",
};

function egressDenied(hop: Hop, resolved: boolean): HttpError {
  const what = resolved ? "resolves to" : "is";
  return new HttpError(
    "egress_denied",
    `${describeTarget(hop.method, hop.url)} is refused: ${hop.url.hostname} ${what} a loopback, private or link-local address; an admin can allow it with --allow-host.`,
  );
}

/** Scheme and IP-literal check; a name is checked on each of its addresses when it connects. */
function checkHop(hop: Hop, allow: AllowList): void {
  if (!isHttpScheme(hop.url))
    throw new HttpError(
      "egress_denied",
      `${describeTarget(hop.method, hop.url)} is refused: only http and https URLs are allowed, not "${hop.url.protocol}".`,
    );
  if (!allow.permitsUrlHost(hop.url.hostname, effectivePort(hop.url))) throw egressDenied(hop, false);
}

/** A failure of the network, the deadline or the policy as the HttpError the logic sees. */
export function translateError(error: unknown, hop: Hop, deadline: Deadline): Error {
  if (error instanceof HttpError) return error;
  const target = describeTarget(hop.method, hop.url);
  const why = deadline.reason();
  if (why === "action")
    return new HttpError("timeout", `${target} was stopped: the action reached its time limit.`);
  if (why === "request")
    return new HttpError(
      "timeout",
      `${target} did not finish within ${deadline.timeoutMs / 1000} s; raise the limit with RestApi.setRequestTimeout(seconds) or ask less of the server.`,
    );
  if (error instanceof EgressDenied || (error as { cause?: unknown })?.cause instanceof EgressDenied)
    return egressDenied(hop, true);
  const code = String(
    (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code ?? "",
  );
  if (
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return new HttpError(
      "timeout",
      `${target} timed out waiting for the server; check that it is reachable or raise RestApi.setRequestTimeout(seconds).`,
    );
  }
  if (code === "UND_ERR_INVALID_ARG")
    return new HttpError(
      "bad_request",
      `${target} is not a valid request (${(error as Error).message}); check the header names and values.`,
    );
  if (error instanceof UndecodableBody) {
    return new HttpError(
      "network_error",
      `${target} failed: the response body could not be decompressed; check the server's Content-Encoding.`,
    );
  }
  const cause = NETWORK_CAUSES[code] ?? "the request failed before a response arrived";
  return new HttpError(
    "network_error",
    `${target} failed: ${cause}${/^[A-Z0-9_]+$/.test(code) ? ` (${code})` : ""}; check the URL and that the server is reachable.`,
  );
}

export interface Sent {
  response: Dispatcher.ResponseData;
  /** The hop that produced the final response. */
  hop: Hop;
}

/**
 * @param egress the pooled agent and allow-list of the policy (agent.ts `agentFor`)
 * @param dispatcher replaces the pooled egress agent (app tests pass an undici MockAgent)
 */
export async function sendFollowingRedirects(
  first: Hop,
  egress: EgressAgent,
  maxRedirects: number,
  deadline: Deadline,
  dispatcher?: Dispatcher,
): Promise<Sent> {
  const { allow } = egress;
  const agent = dispatcher ?? egress.agent;
  if (!METHODS.has(first.method))
    throw new HttpError(
      "bad_request",
      `RestApi.createRequest: "${first.method.slice(0, 20)}" is not a supported method; use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.`,
    );
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    checkHop(hop, allow);
    let response: Dispatcher.ResponseData;
    try {
      response = await agent.request({
        origin: hop.url.origin,
        path: hop.url.pathname + hop.url.search,
        method: hop.method as Dispatcher.HttpMethod,
        headers: flatHeaders(hop.headers, hop.body.contentType),
        body: hop.body.body as Dispatcher.RequestOptions["body"],
        // An EventEmitter-shaped signal, which request() accepts besides an AbortSignal (deadline.ts).
        signal: deadline.signal as unknown as Dispatcher.RequestOptions["signal"],
        headersTimeout: deadline.timeoutMs,
        bodyTimeout: deadline.timeoutMs,
      });
    } catch (error) {
      throw translateError(error, hop, deadline);
    }
    let next: Hop | null;
    try {
      next = nextHop(hop, response.statusCode, response.headers.location);
    } catch (error) {
      discard(response.body);
      throw error;
    }
    if (next === null) return { response, hop };
    await response.body.dump().catch(() => undefined);
    if (redirects >= maxRedirects)
      throw new HttpError(
        "too_many_redirects",
        `${describeTarget(first.method, first.url)} was redirected more than ${maxRedirects} times; call the final URL directly.`,
      );
    hop = next;
  }
}

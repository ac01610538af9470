/** The outbound HTTP policy of one action: the server's allowed hosts and the action's limits. */
import type { HttpPolicy } from "../host/index.ts";
import type { SandboxLimits } from "../sandbox/index.ts";

/** Redirects an action's request may follow (each hop is checked against the egress rules again). */
const MAX_REDIRECTS = 5;

export function actionHttpPolicy(allowHosts: HttpPolicy["allowHosts"], limits: SandboxLimits): HttpPolicy {
  return {
    allowHosts,
    maxResponseBytes: limits.maxResponseBytes,
    maxDownloadBytes: limits.maxDownloadBytes,
    defaultTimeoutMs: limits.requestTimeoutMs,
    maxRequests: limits.maxRequests,
    maxRedirects: MAX_REDIRECTS,
  };
}

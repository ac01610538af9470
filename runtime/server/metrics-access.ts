/**
 * Who may scrape /metrics (the `metrics` policy of route-access.ts). The metrics name the apps,
 * their actions, the hosts they call and the load of the server, so they are not public:
 * without a token only clients on this machine's loopback get them (a Prometheus or an agent
 * on the same host); with `--metrics-token` the bearer of that token, from anywhere — and then
 * from loopback too, since a reverse proxy on this host would make every client look local.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { RuntimeError } from "../errors.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Throws unauthorized (wrong or missing token) or forbidden (not loopback) unless the scraper may read. */
export function checkMetricsAccess(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    if (LOOPBACK.test(request.ip)) return;
    throw new RuntimeError(
      "forbidden",
      "/metrics answers only clients on this machine's loopback; an operator can set --metrics-token (COMIND_METRICS_TOKEN) to let a scraper with that bearer token in from elsewhere.",
    );
  }
  const [scheme, given] = (request.headers.authorization ?? "").split(" ", 2);
  // Compared as digests: equal length, constant time, whatever was sent.
  if (scheme?.toLowerCase() === "bearer" && given && timingSafeEqual(digest(given), digest(token))) return;
  throw new RuntimeError(
    "unauthorized",
    "/metrics needs `Authorization: Bearer <the metrics token>` (--metrics-token / COMIND_METRICS_TOKEN of this server).",
  );
}

/**
 * Deny by default, derived from the routes themselves: every route declares who may call it in
 * its options (`config: { access }`), and one onRequest hook enforces that before any handler
 * runs. A route that declares nothing is refused to everyone with 403 — a new route is closed
 * until it is wired — and `registeredRoutes(server)` lists every route with its policy, so the
 * test that enumerates them fails on a route without a case.
 *
 * App rights (read / write / run on one app) are checked by the handlers with the one check
 * (access/) once they know the app; this layer decides only who may reach the handler at all.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { RuntimeError } from "../errors.ts";
import { checkMetricsAccess } from "./metrics-access.ts";

export const ROUTE_ACCESS = {
  public: "anyone, without credentials (health, the OpenAPI document, the favicon)",
  signature: "a webhook delivery signed with the app's secret (routes/hooks.ts checks it)",
  "access-pass": "the holder of an access pass for one record (in the query)",
  "console-open": "anyone: the console's sign-in page and its static assets",
  console: "a signed-in console session (the console's own hook signs it in)",
  "signed-in": "a valid API credential; the handler checks the app's rights with the one check",
  admin: "a global admin",
  metrics: "a scraper on loopback, or the bearer of the metrics token when one is set (metrics-access.ts)",
} as const;

export type RouteAccess = keyof typeof ROUTE_ACCESS;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call this route (server/route-access.ts); a route without it is refused to all. */
    access?: RouteAccess;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | null;
}

const REGISTERED = Symbol("registered routes");

/** Every route registered on this server, with its declared policy (null = refused to all). */
export function registeredRoutes(server: FastifyInstance): RegisteredRoute[] {
  return [...((server as unknown as Record<symbol, RegisteredRoute[]>)[REGISTERED] ?? [])];
}

function isAccess(value: unknown): value is RouteAccess {
  return typeof value === "string" && Object.hasOwn(ROUTE_ACCESS, value);
}

/**
 * Installs the policy hook. `signIn` resolves the API credential of a request onto
 * `request.user` / `request.caller` (the auth hook of server/index.ts); `metricsToken` is the
 * bearer token of /metrics (none: loopback only).
 */
export function installRouteAccess(
  server: FastifyInstance,
  signIn: (request: FastifyRequest) => Promise<void>,
  options: { metricsToken?: string } = {},
): void {
  const routes: RegisteredRoute[] = [];
  (server as unknown as Record<symbol, RegisteredRoute[]>)[REGISTERED] = routes;
  server.addHook("onRoute", (route) => {
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      routes.push({
        method: String(method),
        url: route.url ?? route.path,
        access: isAccess(access) ? access : null,
      });
  });
  server.addHook("onRequest", async (request) => {
    // An unknown path answers 404 to a signed-in caller, 401 to everyone else (no probing).
    const access = request.is404 ? "signed-in" : request.routeOptions.config?.access;
    if (!isAccess(access))
      throw new RuntimeError(
        "forbidden",
        "This endpoint is not wired to the access check and is refused to everyone; report it to the server's operator.",
      );
    if (access === "public" || access === "signature" || access === "access-pass") return;
    if (access === "console" || access === "console-open") return;
    if (access === "metrics") return checkMetricsAccess(request, options.metricsToken);
    await signIn(request);
    if (access === "admin" && !request.user.isGlobalAdmin)
      throw new RuntimeError("forbidden", "Only admins may call this endpoint.");
  });
}

/**
 * The platform REST API of seed 000 over the store, with record actions that run action logic.
 * Fastify: JSON schemas validate bodies and generate /api/openapi.json; tests use `inject()`.
 *
 * @example
 *   const server = await createServer({ runtime, store, workspace: "DEMO", dataDir: "./data" });
 *   await server.listen({ port: 8080 });
 */
import { installRequestSpans } from "./request-spans.ts";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { VERSION } from "../version.ts";
import { createAuthenticator, oidcConfigProblem, TOKEN_CACHE_MS } from "./auth.ts";
import { parseServerOptions, type ServerOptions } from "./options-schema.ts";
import type { ServerContext } from "./context.ts";
import { clientErrorHandler, httpServerLimits } from "./connection-limits.ts";
import { installErrorHandling } from "./errors.ts";
import { cachedUserResolver } from "../access/index.ts";
import { registerAccessPassRoute } from "./routes/access-pass.ts";
import { registerHealthRoutes } from "./health.ts";
import { registerFavicon } from "./favicon.ts";
import { installRouteAccess } from "./route-access.ts";
import { assertJsonDepth } from "./json-depth.ts";
import { installRequestGuard } from "./request-guard.ts";
import { installEarlyShed } from "./early-shed.ts";
import { rewriteLegacyPrefix, withLegacyAliases } from "./legacy-prefix.ts";
import { registerConsole } from "./console/index.ts";
import { registerMcpRoute } from "./mcp/index.ts";
import { registerActionRoute } from "./routes/actions.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerAppScopedRoutes } from "./routes/app-scoped.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerFlowUploadRoute } from "./routes/flow-upload.ts";
import { registerInfoRoutes } from "./routes/info.ts";
import { registerHookRoutes } from "./routes/hooks.ts";
import { registerMetricsRoute } from "./routes/metrics.ts";
import { registerMultiRoute } from "./routes/multi.ts";
import { registerRunRoutes } from "./routes/runs.ts";
import { registerTicketRoutes } from "./routes/tickets.ts";
import { OneLinePerRequest } from "./request-log.ts";

export { createToken, oidcConfigProblem } from "./auth.ts";
export {
  type OidcConfig,
  oidcConfigSchema,
  SERVER_RANGES,
  type ServerOptions,
  serverOptionsSchema,
} from "./options-schema.ts";

export { createServerLog } from "./request-log.ts";
export { DEFAULT_DRAIN_MS } from "./request-guard.ts";
export { createPrettyServerLog } from "./pretty-log.ts";
export { registeredRoutes, ROUTE_ACCESS, type RegisteredRoute, type RouteAccess } from "./route-access.ts";

/** Long enough for a URL-encoded upload URL used as a file id (/api/download/{x}). */
const MAX_PARAM_LENGTH = 1000;

/**
 * What the routes see: the store's ports one by one (context.ts), never the whole Store, which is
 * only handed over here (and to the authenticator and the health route below).
 */
export function serverContext(
  options: Pick<ServerOptions, "runtime" | "store" | "workspace" | "requestTimeoutMs" | "dataDir" | "queue">,
): ServerContext {
  const { store } = options;
  return {
    runtime: options.runtime,
    records: store,
    history: store,
    runs: store,
    files: store,
    keys: store,
    directory: store,
    storeKind: store.kind,
    workspace: options.workspace,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    dataDir: options.dataDir,
    queue: options.queue,
  };
}

/** @throws RuntimeError bad_request naming the first bad option (options-schema.ts) */
export async function createServer(raw: ServerOptions): Promise<FastifyInstance> {
  const options = parseServerOptions(raw, oidcConfigProblem);
  const ctx = serverContext(options);
  // Async runs are queued by the run use-case: the server's queue is the runtime's.
  if (options.queue && options.runtime.config.queue !== options.queue)
    options.runtime.useQueue(options.queue);
  const server = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? 100 * 1024,
    ...httpServerLimits(ctx.requestTimeoutMs),
    clientErrorHandler,
    // While closing, the request guard answers 503 in the documented JSON shape.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    rewriteUrl: rewriteLegacyPrefix,
    // Errors the router raises before any hook runs (over-long or malformed URLs) get our JSON shape too.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      const message = tooLong
        ? `A path segment is longer than ${MAX_PARAM_LENGTH} characters.`
        : "The request URL is malformed.";
      (reply as unknown as { code(status: number): { send(body: unknown): void } })
        .code(tooLong ? 414 : 400)
        .send({ error: { code: "bad_request", message } });
    },
  });
  installRequestSpans(server);
  installErrorHandling(server);
  await server.register(swagger, {
    transformObject: (document) =>
      withLegacyAliases((document as { openapiObject: { paths?: never } }).openapiObject),
    openapi: {
      info: {
        title: "comind-runtime REST API",
        version: VERSION,
        description: "Seed 000's platform API plus action invocation.",
      },
      components: {
        securitySchemes: {
          authCode: {
            type: "apiKey",
            in: "header",
            name: "Authorization",
            description: "CMW_AUTH_CODE <token>",
          },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ authCode: [] }, { bearer: [] }],
    },
  });
  const authenticate = createAuthenticator(options.store, options.oidc, {
    verifyShortLived: (token) => options.runtime.config.comindAuth.verify(token),
  });
  const resolveCaller = cachedUserResolver(options.store, TOKEN_CACHE_MS);
  server.decorateRequest("user", null as never);
  server.decorateRequest("caller", null as never);
  installRequestGuard(server, ctx.requestTimeoutMs);
  // Before the credential is read: a full server refuses actions at the door (early-shed.ts).
  installEarlyShed(server, options.runtime);
  // Every route declares who may call it; the API takes credentials in the header.
  installRouteAccess(
    server,
    async (request) => {
      const caller = await authenticate(request.headers.authorization);
      request.caller = caller;
      request.user = await resolveCaller(ctx.workspace, caller);
    },
    { metricsToken: options.metrics?.token },
  );
  server.addHook("preValidation", async (request) => assertJsonDepth(request.body));
  registerHealthRoutes(server, options.store, ctx.queue, options.runtime);
  registerFavicon(server);
  server.get("/api/openapi.json", { schema: { hide: true }, config: { access: "public" } }, async () =>
    server.swagger(),
  );
  registerInfoRoutes(server, ctx);
  registerTicketRoutes(server, ctx);
  await registerAppScopedRoutes(server, ctx);
  registerMultiRoute(server, ctx);
  registerFileRoutes(server, ctx);
  await registerFlowUploadRoute(server, ctx);
  registerActionRoute(server, ctx);
  registerAdminRoutes(server, ctx);
  registerAccessPassRoute(server, ctx);
  registerRunRoutes(server, ctx);
  await registerHookRoutes(server, ctx);
  registerMcpRoute(server, ctx);
  if (options.metrics)
    registerMetricsRoute(server, options.metrics.registry, {
      runtime: options.runtime,
      store: options.store,
      queue: ctx.queue,
    });
  if (options.console) await registerConsole(server, ctx, { authenticate, oidc: Boolean(options.oidc) });
  return server;
}

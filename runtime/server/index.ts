/**
 * The platform REST API of seed 000 over the store, with record actions that run action logic.
 * Fastify: JSON schemas validate bodies and generate /api/openapi.json; tests use `inject()`.
 *
 * @example
 *   const server = await createServer({ runtime, store, workspace: "DEMO", dataDir: "./data" });
 *   await server.listen({ port: 8080 });
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import type { ActionRuntime } from "../actions/index.ts";
import type { Store } from "../store/index.ts";
import { VERSION } from "../version.ts";
import { createAuthenticator, type OidcConfig } from "./auth.ts";
import type { ServerContext } from "./context.ts";
import { installErrorHandling } from "./errors.ts";
import { registerActionRoute } from "./routes/actions.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerInfoRoutes } from "./routes/info.ts";
import { registerMultiRoute } from "./routes/multi.ts";
import { registerTicketRoutes } from "./routes/tickets.ts";

export interface ServerOptions {
  runtime: ActionRuntime;
  store: Store;
  workspace: string;
  dataDir: string;
  oidc?: OidcConfig;
  /** Whole-request limit (default 30 s): 504 after it; actions get only what is left of it. */
  requestTimeoutMs?: number;
  /** Request body limit (default 100 KB): 413 above it. */
  bodyLimit?: number;
  logger?: boolean | object;
}

const PUBLIC_PATHS = new Set(["/api/openapi.json", "/health"]);

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const ctx: ServerContext = {
    runtime: options.runtime,
    store: options.store,
    workspace: options.workspace,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    dataDir: options.dataDir,
  };
  const server = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 100 * 1024,
    return503OnClosing: true,
    // Errors the router raises before any hook runs (over-long or malformed URLs) get our JSON shape too.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      const message = tooLong
        ? "A path segment is longer than 100 characters."
        : "The request URL is malformed.";
      (reply as unknown as { code(status: number): { send(body: unknown): void } })
        .code(tooLong ? 414 : 400)
        .send({ error: { code: "bad_request", message } });
    },
  });
  installErrorHandling(server);
  await server.register(swagger, {
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
  const authenticate = createAuthenticator(options.store, options.oidc);
  server.decorateRequest("user", null as never);
  server.decorateRequest("deadline", 0);
  server.addHook("onRequest", async (request, reply) => {
    request.deadline = Date.now() + ctx.requestTimeoutMs;
    const timer = setTimeout(() => {
      if (!reply.sent && !reply.raw.headersSent) {
        reply.code(504).send({
          error: {
            code: "timeout",
            message: `The request took longer than ${ctx.requestTimeoutMs / 1000} s.`,
          },
        });
      }
    }, ctx.requestTimeoutMs);
    reply.raw.once("close", () => clearTimeout(timer));
    if (PUBLIC_PATHS.has(request.url.split("?")[0])) return;
    request.user = await authenticate(request.headers.authorization);
  });
  server.get("/health", { schema: { hide: true } }, async () => ({ ok: true }));
  server.get("/api/openapi.json", { schema: { hide: true } }, async () => server.swagger());
  registerInfoRoutes(server, ctx);
  registerTicketRoutes(server, ctx);
  registerMultiRoute(server, ctx);
  registerFileRoutes(server, ctx);
  registerActionRoute(server, ctx);
  registerAdminRoutes(server, ctx);
  return server;
}
export { createToken } from "./auth.ts";

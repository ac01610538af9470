/**
 * The run console at /console: server-rendered pages (Eta) for admins and app developers: apps,
 * runs (live), records with rlx filters and action buttons, health. It is a fastify plugin of its
 * own (cookies and form bodies only here) and reads through the same runtime, store and route
 * functions as the REST API. Sign-in keeps the API token in an HttpOnly, SameSite=Strict cookie.
 */
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { resolveUser } from "../../access/index.ts";
import { publicError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import { registerAppsPage } from "./apps-page.ts";
import { registerHealthPage } from "./health-page.ts";
import { registerRecordPages } from "./records-pages.ts";
import { ASSETS, renderPage } from "./render.ts";
import { registerRunPages } from "./runs-pages.ts";
import {
  type Authenticate,
  clearSession,
  credentialHeader,
  sameOrigin,
  setSession,
  userOf,
} from "./session.ts";

export interface ConsoleOptions {
  authenticate: Authenticate;
  /** An OIDC issuer is configured: the sign-in form also takes a Bearer JWT. */
  oidc: boolean;
}

/** Only paths of this console as "next" after sign-in (no open redirect). */
function safeNext(value: unknown): string {
  const next = typeof value === "string" ? value : "";
  return /^\/console(\/[\w\-./?=&%:]*)?$/.test(next) && !next.startsWith("//") ? next : "/console/runs";
}

export async function registerConsole(server: FastifyInstance, ctx: ServerContext, options: ConsoleOptions) {
  await server.register(async (scope) => {
    await scope.register(cookie);
    await scope.register(formbody, { bodyLimit: 16 * 1024 });

    scope.setErrorHandler((error, request, reply) => {
      const { code, message } = publicError(error);
      if (code === "internal_error") request.log.error({ err: error }, "console page failed");
      const status = code === "internal_error" ? 500 : ((error as { status?: number }).status ?? 400);
      renderPage(
        reply,
        "error",
        { title: "Something went wrong", code, message, user: request.user, workspace: ctx.workspace },
        status,
      );
    });

    scope.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split("?")[0];
      const open = request.routeOptions.config?.access === "console-open";
      if (open && request.method === "GET") return;
      if (request.method === "POST" && !sameOrigin(request)) {
        return renderPage(
          reply,
          "error",
          {
            title: "Refused",
            code: "forbidden",
            message: "Forms can only be sent from this console.",
            workspace: ctx.workspace,
          },
          403,
        );
      }
      if (open) return;
      const user = await userOf(request, options.authenticate);
      if (!user) {
        if (path.endsWith(".json") || path.endsWith("/feed"))
          return reply
            .code(401)
            .send({ error: { code: "unauthorized", message: "Sign in to the console again." } });
        return reply.redirect(`/console/login?next=${encodeURIComponent(request.url)}`, 303);
      }
      request.caller = user;
      request.user = await resolveUser(ctx.directory, ctx.workspace, user);
    });

    scope.get<{ Params: { name: string } }>(
      "/console/assets/:name",
      { config: { access: "console-open" } },
      async (request, reply) => {
        const asset = ASSETS[request.params.name];
        if (!asset) return reply.code(404).send("not found");
        return reply
          .header("content-type", asset.type)
          .header("cache-control", "public, max-age=300")
          .send(asset.body);
      },
    );

    scope.get("/console", { config: { access: "console" } }, async (_request, reply) =>
      reply.redirect("/console/runs", 303),
    );

    scope.get<{ Querystring: { next?: string } }>(
      "/console/login",
      { config: { access: "console-open" } },
      async (request, reply) => {
        const user = await userOf(request, options.authenticate);
        if (user) return reply.redirect(safeNext(request.query.next), 303);
        return renderPage(reply, "login", {
          title: "Sign in",
          oidc: options.oidc,
          next: safeNext(request.query.next),
          error: null,
          workspace: ctx.workspace,
        });
      },
    );

    scope.post<{ Body: { token?: string; next?: string } }>(
      "/console/login",
      { config: { access: "console-open" } },
      async (request, reply) => {
        const token = String(request.body?.token ?? "").trim();
        const next = safeNext(request.body?.next);
        const header = credentialHeader(token);
        try {
          if (!token) throw new Error("empty");
          await options.authenticate(header);
        } catch {
          return renderPage(
            reply,
            "login",
            {
              title: "Sign in",
              oidc: options.oidc,
              next,
              error:
                "That token is not valid. Check it, or create one with `comind-runtime token create <user>`.",
              workspace: ctx.workspace,
            },
            401,
          );
        }
        setSession(request, reply, header);
        return reply.redirect(next, 303);
      },
    );

    scope.post("/console/logout", { config: { access: "console-open" } }, async (_request, reply) => {
      clearSession(reply);
      return reply.redirect("/console/login", 303);
    });

    registerAppsPage(scope, ctx);
    registerRunPages(scope, ctx);
    registerRecordPages(scope, ctx);
    registerHealthPage(scope, ctx);
  });
}

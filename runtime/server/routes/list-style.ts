/**
 * Registers a list-style read twice, as GET (query string) and POST (JSON or form body), over ONE
 * handler and ONE parameter schema (see ../list-params.ts). Form bodies are parsed only in the
 * scope of these reads; every other route keeps taking JSON only.
 */
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { canonicalizeListParams, type ListParams, listParams, listParamsSchema } from "../list-params.ts";

export interface ListStyleRoute {
  url: string;
  summary: string;
  response: object;
  handler(request: FastifyRequest, params: ListParams): Promise<unknown>;
}

/** A plugin (register it with or without a prefix) holding these reads and the form parser. */
export function listStyleRoutes(routes: ListStyleRoute[]) {
  return async (scope: FastifyInstance) => {
    await scope.register(formbody);
    for (const route of routes) registerListStyle(scope, route);
  };
}

function registerListStyle(server: FastifyInstance, route: ListStyleRoute): void {
  const common = { tags: ["records"], summary: route.summary, response: { 200: route.response } };
  const handler = (request: FastifyRequest) => route.handler(request, listParams(request));
  server.get(route.url, {
    schema: { ...common, querystring: listParamsSchema },
    preValidation: canonicalizeListParams,
    config: { access: "signed-in" },
    handler,
  });
  server.post(route.url, {
    schema: {
      ...common,
      consumes: ["application/json", "application/x-www-form-urlencoded"],
      querystring: listParamsSchema,
      body: listParamsSchema,
    },
    preValidation: canonicalizeListParams,
    config: { access: "signed-in" },
    handler,
  });
}

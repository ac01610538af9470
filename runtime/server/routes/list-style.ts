/**
 * Registers a list-style read twice, as GET (query string) and POST (JSON or form body), over ONE
 * handler and ONE parameter schema (see ../list-params.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { canonicalizeListParams, type ListParams, listParams, listParamsSchema } from "../list-params.ts";

export interface ListStyleRoute {
  url: string;
  summary: string;
  response: object;
  handler(request: FastifyRequest, params: ListParams): Promise<unknown>;
}

export function registerListStyle(server: FastifyInstance, route: ListStyleRoute): void {
  const common = { tags: ["records"], summary: route.summary, response: { 200: route.response } };
  const handler = (request: FastifyRequest) => route.handler(request, listParams(request));
  server.get(route.url, {
    schema: { ...common, querystring: listParamsSchema },
    preValidation: canonicalizeListParams,
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
    handler,
  });
}

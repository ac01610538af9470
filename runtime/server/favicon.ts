/**
 * GET /favicon.ico: the console's icon (a 32 × 32 PNG in an ICO), public, so a browser asking for
 * it on any page (console or API) gets an icon instead of a 401 in its console.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

const ICON = readFileSync(join(import.meta.dirname, "favicon.ico"));

export function registerFavicon(server: FastifyInstance): void {
  server.get(
    "/favicon.ico",
    { schema: { hide: true }, config: { access: "public" } },
    async (_request, reply) =>
      reply
        .header("content-type", "image/x-icon")
        .header("cache-control", "public, max-age=86400")
        .send(ICON),
  );
}

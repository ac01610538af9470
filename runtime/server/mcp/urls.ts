/**
 * The system URL (`whoami`) and a record's URL (every write answer, get_record): built on the
 * public URL an admin configured (`serve --public-url`, COMIND_PUBLIC_URL), else on the origin the
 * MCP request came to. A record's page is the console's record page.
 */
import type { FastifyRequest } from "fastify";
import type { ServerContext } from "../context.ts";

export function systemUrl(ctx: ServerContext, request: Pick<FastifyRequest, "protocol" | "host">): string {
  return ctx.runtime.config.comindAuth.publicUrl ?? `${request.protocol}://${request.host}`;
}

export function recordUrl(baseUrl: string, recordId: string): string {
  return `${baseUrl}/console/records/${encodeURIComponent(recordId)}`;
}

/**
 * The legacy URL prefix `/api/apialpha.ashx/...` (any letter case) that older Comind clients use:
 * it is rewritten to `/api/...` before routing, so the same route (and handler) answers both.
 * Slashes doubled right after the prefix (`/api/ApiAlpha.ashx//pid/...`, as a C# client builds
 * it) count as one. The OpenAPI description lists the alias of every path.
 */
const LEGACY_PREFIX = /^\/api\/apialpha\.ashx(\/+|(?=\?|$))/i;
export const LEGACY_BASE = "/api/apialpha.ashx";

/** fastify's `rewriteUrl`: the URL to route this request by. */
export function rewriteLegacyPrefix(request: { url?: string }): string {
  const url = request.url ?? "/";
  return url.replace(LEGACY_PREFIX, (_prefix, slashes: string) => (slashes ? "/api/" : "/api"));
}

type Paths = Record<string, Record<string, Record<string, unknown>>>;

/** @fastify/swagger's `transformObject`: every `/api/x` path is also listed as `/api/apialpha.ashx/x`. */
export function withLegacyAliases<T extends { paths?: Paths }>(document: T): T {
  const paths = document.paths ?? {};
  const aliases: Paths = {};
  for (const [path, operations] of Object.entries(paths)) {
    if (!path.startsWith("/api/")) continue;
    aliases[`${LEGACY_BASE}${path.slice(4)}`] = Object.fromEntries(
      Object.entries(operations).map(([method, operation]) => [
        method,
        { ...operation, description: `Legacy alias of ${path} (the prefix is matched in any letter case).` },
      ]),
    );
  }
  return { ...document, paths: { ...paths, ...aliases } };
}

/**
 * The Idempotency-Key header (POST /api/tickets/multi and the action endpoint, sync and async) as
 * the run use-case's `idempotency` option: the keys, the commit keys of the items and the stored
 * answers live in runtime/runs (idempotency.ts); a route only maps the header to the option and a
 * stored answer back to HTTP (`Idempotent-Replayed: true`).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Idempotency } from "../runs/index.ts";

/**
 * The request's key as the use-case's option, scoped to this endpoint; undefined without the header.
 * `sent` is what a retry must repeat (default: the body).
 *
 * @example
 *   const result = await ctx.runtime.run({ ...action, idempotency: idempotencyOf(request) });
 */
export function idempotencyOf(
  request: FastifyRequest,
  sent: unknown = request.body,
): Idempotency | undefined {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return undefined;
  return {
    key: Array.isArray(header) ? header[0] : header,
    operation: `${request.method} ${request.url.split("?")[0]}`,
    request: sent ?? null,
    onUnsaved: (error) => request.log.warn({ err: error }, "idempotent answer not stored"),
  };
}

/** Marks a stored answer of an earlier request with the same key as such. */
export function markReplay(reply: FastifyReply, storedAnswer: boolean | undefined): void {
  if (storedAnswer) reply.header("idempotent-replayed", "true");
}

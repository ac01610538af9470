/**
 * `Idempotency-Key` on POST /api/tickets/multi and the action endpoint: a client that retries a
 * request (after a timeout, a 503, a dropped connection) with the same key gets the first answer
 * instead of applying the request twice. Two layers:
 *   - every item's commit carries `<scope>:<item index>` as its idempotency key (unique in the
 *     store, written in the same transaction), so an item commits at most once even when the
 *     first answer never reached the client or the database went away mid-request;
 *   - the whole answer is stored when the request finishes with a definitive answer (not a 503)
 *     and replayed as it was (header `Idempotent-Replayed: true`) for 24 h.
 * Keys are scoped to the caller and the endpoint; the same key with another body is refused.
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { RuntimeError } from "../errors.ts";
import type { ServerContext } from "./context.ts";

const KEY = /^[\x21-\x7e]{1,200}$/;

export interface Answer {
  status: number;
  body: unknown;
}

/** Key of the item at `index` of this request, or undefined when no Idempotency-Key was sent. */
export type ItemKey = (index: number) => string | undefined;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function scopeOf(request: FastifyRequest): string | undefined {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!KEY.test(key))
    throw new RuntimeError(
      "bad_request",
      "The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID is a good key).",
    );
  const endpoint = `${request.method} ${request.url.split("?")[0]}`;
  return sha256(`${request.user.id}\n${endpoint}\n${key}`);
}

/**
 * Runs `handle` at most once per key and caller: answers a retry from the stored answer.
 *
 * @example
 *   return withIdempotency(ctx, request, reply, (itemKey) => runBatch(itemKey));
 */
export async function withIdempotency(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  handle: (itemKey: ItemKey) => Promise<Answer>,
): Promise<unknown> {
  const scope = scopeOf(request);
  if (!scope) {
    const answer = await handle(() => undefined);
    return reply.code(answer.status).send(answer.body);
  }
  const requestHash = sha256(JSON.stringify(request.body ?? null));
  const stored = await ctx.idempotency.getIdempotentResponse(scope);
  if (stored) {
    if (stored.requestHash !== requestHash)
      throw new RuntimeError(
        "idempotency_mismatch",
        "This Idempotency-Key was already used for a request with another body; use a new key for a new request.",
      );
    return reply.code(stored.status).header("idempotent-replayed", "true").send(JSON.parse(stored.body));
  }
  const answer = await handle((index) => `${scope}:${index}`);
  // A 503 or a 429 (rate_limited) is not an answer to keep: the retry must run the request.
  if (answer.status < 500 && answer.status !== 429) {
    await ctx.idempotency
      .saveIdempotentResponse({
        scopeKey: scope,
        requestHash,
        status: answer.status,
        body: JSON.stringify(answer.body),
        createdAt: new Date().toISOString(),
      })
      .catch((error) => request.log.warn({ err: error }, "idempotent answer not stored"));
  }
  return reply.code(answer.status).send(answer.body);
}

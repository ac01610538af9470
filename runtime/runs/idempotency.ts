/**
 * Idempotency keys, owned by the run use-case so that every way in (a REST action, sync or async,
 * a tickets/multi batch) gets them by passing one option: a client that retries a request (after
 * a timeout, a 503, a dropped connection) with the same key gets the first answer instead of the
 * request applied twice. Two layers:
 *   - every run's commit carries `<scope>:<item index>` as its commit key (unique in the store,
 *     written in the same transaction, commit-step.ts), so a run commits at most once even when
 *     the first answer never reached the client or the database went away mid-request;
 *   - the whole answer is stored when the request ends with a definitive answer (not a 5xx, not
 *     429) and replayed as it was (`storedAnswer`) for 24 h.
 * Keys are scoped to the caller and the operation; the same key with another request is refused.
 */
import { createHash } from "node:crypto";
import { ERROR_CODES, RuntimeError } from "../errors.ts";
import type { IdempotencyPort } from "../store/index.ts";

/** What a way in says about a request sent with an idempotency key (REST: the Idempotency-Key header). */
export interface Idempotency {
  /** The client's key: 1 to 200 visible ASCII characters (a UUID is a good key). */
  key: string;
  /** What the key is for beside the caller, e.g. "POST /api/tickets/multi": a key is scoped to both. */
  operation: string;
  /** The request as sent: the same key with another request is refused (idempotency_mismatch). */
  request: unknown;
  /** Told when the answer could not be stored: a retry then runs again (its commits still at most once). */
  onUnsaved?: (error: unknown) => void;
}

/** An answer as it is kept for a key: a status (the REST API's HTTP status) and a JSON body. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** The answer, and whether it is the stored answer of an earlier request with the same key. */
export type OnceAnswer<T> = Answer<T> & { storedAnswer: boolean };

/** The commit key of the run at `index` of this request, or undefined when it came without a key. */
export type ItemKey = (index: number) => string | undefined;

const KEY = /^[\x21-\x7e]{1,200}$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function scopeOf(actor: string, idempotency: Idempotency): string {
  if (!KEY.test(idempotency.key))
    throw new RuntimeError(
      "bad_request",
      "The idempotency key (the Idempotency-Key header) must be 1 to 200 visible ASCII characters (a UUID is a good key).",
    );
  return sha256(`${actor}\n${idempotency.operation}\n${idempotency.key}`);
}

/** A 5xx (the database away, the server busy) or a 429 is not an answer to keep: the retry must run. */
const keeps = (status: number) => status < 500 && status !== ERROR_CODES.rate_limited.status;

/**
 * Runs `handle` at most once per key and caller: a retry is answered from the stored answer.
 *
 * @example
 *   const { status, body, storedAnswer } = await answerOnce(store, user.id, idempotency, (itemKey) =>
 *     runBatch(itemKey),
 *   );
 * @throws RuntimeError idempotency_mismatch (the key was used for another request), bad_request (a malformed key)
 */
export async function answerOnce<T>(
  store: IdempotencyPort,
  actor: string,
  idempotency: Idempotency | undefined,
  handle: (itemKey: ItemKey) => Promise<Answer<T>>,
  onUnsaved: (error: unknown) => void,
): Promise<OnceAnswer<T>> {
  if (!idempotency) return { ...(await handle(() => undefined)), storedAnswer: false };
  const scope = scopeOf(actor, idempotency);
  const requestHash = sha256(JSON.stringify(idempotency.request ?? null));
  const stored = await store.getIdempotentResponse(scope);
  if (stored) {
    if (stored.requestHash !== requestHash)
      throw new RuntimeError(
        "idempotency_mismatch",
        "This Idempotency-Key was already used for a request with another body; use a new key for a new request.",
      );
    return { status: stored.status, body: JSON.parse(stored.body) as T, storedAnswer: true };
  }
  const answer = await handle((index) => `${scope}:${index}`);
  if (keeps(answer.status)) {
    await store
      .saveIdempotentResponse({
        scopeKey: scope,
        requestHash,
        status: answer.status,
        body: JSON.stringify(answer.body),
        createdAt: new Date().toISOString(),
      })
      .catch(idempotency.onUnsaved ?? onUnsaved);
  }
  return { ...answer, storedAnswer: false };
}

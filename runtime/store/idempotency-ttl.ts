/** How long the answer to a request with an Idempotency-Key is kept for replays (both engines). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

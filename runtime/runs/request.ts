/**
 * What callers hand the run use-case and get back: an action request (actions/types.ts) plus
 * what only the use-case handles, the client's idempotency key and the replay of its answer.
 */
import type { ActionRequest, ActionResult } from "../actions/index.ts";
import type { Idempotency } from "./idempotency.ts";

export type RunRequest = ActionRequest & {
  /**
   * A client's idempotency key (REST: the Idempotency-Key header): a retry with the same key and
   * request is answered with the first run's result, and the change commits at most once.
   */
  idempotency?: Idempotency;
};

export type RunResult = ActionResult & {
  /** The stored result of an earlier request with the same idempotency key: nothing ran now. */
  storedAnswer?: true;
};

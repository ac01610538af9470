/**
 * What a queued run knows about itself: its attempt number and, for a webhook, the delivery.
 * Set from the action's init document before app code runs.
 */
import type { ActionInit, InboundRequest } from "./bridge-contract.ts";

let attempt = 1;
let request: InboundRequest | null = null;

export function setJobInit(init: ActionInit): void {
  attempt = init.attempt ?? 1;
  request = init.request
    ? Object.freeze({ ...init.request, headers: Object.freeze({ ...init.request.headers }) })
    : null;
}

export function currentAttempt(): number {
  return attempt;
}

export function currentRequest(): InboundRequest | null {
  return request;
}

/**
 * What a queued run knows about itself: its attempt number and, for a webhook or an incoming
 * e-mail, what was delivered.
 * Set from the action's init document before app code runs.
 */
import type { ActionInit, InboundRequest } from "./bridge-contract.ts";

let attempt = 1;
let request: InboundRequest | null = null;

export function setJobInit(init: ActionInit): void {
  attempt = init.attempt ?? 1;
  request = init.request ? deepFreeze(structuredCopy(init.request)) : null;
}

/** A JSON copy: the request came from the host as JSON and holds nothing else. */
function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The request is read-only all the way down (an e-mail's lists and attachments too). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

export function currentAttempt(): number {
  return attempt;
}

export function currentRequest(): InboundRequest | null {
  return request;
}

/**
 * One request's deadline: its own timeout (connect + headers + the whole body, so a trickled body
 * still times out) or the action's wall-clock signal, whichever comes first.
 *
 * A client watches the action's signal once (`requestDeadlines`), not once per request, and each
 * request's stop is the small EventEmitter-shaped signal that undici's `request()` also accepts
 * (`once`/`removeListener`): an AbortController per request and two EventTarget listeners cost
 * more than the rest of the deadline together.
 *
 * @example
 *   const startDeadline = requestDeadlines(actionSignal);
 *   const deadline = startDeadline(30_000); ... { signal: deadline.signal } ... deadline.dispose();
 */

/** setTimeout's upper bound; longer timeouts are capped by the action's own deadline anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Why = "request" | "action";

/** What undici's request() reads of an EventEmitter signal: `aborted`, `reason`, `on`, `once`, `removeListener`. */
export class RequestStop {
  aborted = false;
  reason: Error | undefined = undefined;
  #listeners: (() => void)[] = [];

  on(_event: "abort", listener: () => void): this {
    this.#listeners.push(listener);
    return this;
  }

  once(event: "abort", listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: "abort", listener: () => void): this {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
    return this;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}

export interface Deadline {
  signal: RequestStop;
  timeoutMs: number;
  /** Why the request was stopped, once it was. */
  reason(): Why | null;
  dispose(): void;
}

export function requestTimeoutMs(timeoutSeconds: number | undefined, defaultMs: number): number {
  const ms =
    typeof timeoutSeconds === "number" && Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
      ? timeoutSeconds * 1000
      : defaultMs;
  return Math.min(Math.max(Math.round(ms), 1), MAX_TIMER_MS);
}

class RequestDeadline implements Deadline {
  readonly signal = new RequestStop();
  readonly timeoutMs: number;
  #why: Why | null = null;
  readonly #timer: NodeJS.Timeout;
  readonly #live: Set<RequestDeadline>;

  constructor(timeoutMs: number, live: Set<RequestDeadline>) {
    this.timeoutMs = timeoutMs;
    this.#live = live;
    this.#timer = setTimeout(() => this.stop("request"), timeoutMs);
  }

  stop(why: Why): void {
    this.#why ??= why;
    this.signal.abort(new Error(`the ${why} deadline passed`));
  }

  reason(): Why | null {
    return this.#why;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#live.delete(this);
  }
}

/** Starts request deadlines under one action's signal, which is watched once for all of them. */
export function requestDeadlines(action: AbortSignal): (timeoutMs: number) => Deadline {
  const live = new Set<RequestDeadline>();
  let watching = false;
  return (timeoutMs) => {
    const deadline = new RequestDeadline(timeoutMs, live);
    if (action.aborted) {
      deadline.stop("action");
      return deadline;
    }
    if (!watching) {
      watching = true;
      action.addEventListener(
        "abort",
        () => {
          for (const each of live) each.stop("action");
        },
        { once: true },
      );
    }
    live.add(deadline);
    return deadline;
  };
}

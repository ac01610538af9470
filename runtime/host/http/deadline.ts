/**
 * One request's deadline: its own timeout (connect + headers + the whole body, so a trickled body
 * still times out) or the action's wall-clock signal, whichever comes first.
 */

/** setTimeout's upper bound; longer timeouts are capped by the action's own deadline anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** Why the request was stopped, once it was. */
  reason(): "request" | "action" | null;
  dispose(): void;
}

export function requestTimeoutMs(timeoutSeconds: number | undefined, defaultMs: number): number {
  const ms =
    typeof timeoutSeconds === "number" && Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
      ? timeoutSeconds * 1000
      : defaultMs;
  return Math.min(Math.max(Math.round(ms), 1), MAX_TIMER_MS);
}

export function startDeadline(action: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let why: "request" | "action" | null = null;
  const stop = (reason: "request" | "action") => {
    why ??= reason;
    controller.abort(new Error(`the ${reason} deadline passed`));
  };
  const onAction = () => stop("action");
  if (action.aborted) onAction();
  else action.addEventListener("abort", onAction, { once: true });
  const timer = setTimeout(() => stop("request"), timeoutMs);
  return {
    signal: controller.signal,
    timeoutMs,
    reason: () => why,
    dispose() {
      clearTimeout(timer);
      action.removeEventListener("abort", onAction);
    },
  };
}

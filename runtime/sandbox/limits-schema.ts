/**
 * The sandbox limits of one action as a zod schema over runtime/limits.ts (defaults and ranges),
 * the SandboxLimits type inferred from it, and withLimits: the defaults with the caller's
 * overrides, each checked — a bad value is refused (bad_request naming it), never dropped.
 */
import { z } from "zod";
import { numberIn, parseConfig } from "../config-schema.ts";
import { DEFAULT_LIMITS, LIMIT_RANGES } from "../limits.ts";

export const sandboxLimitsSchema = z.strictObject({
  /** CPU time of one action. */
  cpuMs: numberIn(LIMIT_RANGES.cpuMs),
  /** Wall-clock time of one action, including HTTP waits and sleep. */
  wallMs: numberIn(LIMIT_RANGES.wallMs),
  /**
   * The limit a timeout message names when `wallMs` is only what is left of it (a run started
   * after the action's setup took a few milliseconds): "4000 ms", not "3999 ms".
   */
  wallLimitMs: numberIn(LIMIT_RANGES.wallLimitMs).optional(),
  /** Isolate heap. */
  memoryMb: numberIn(LIMIT_RANGES.memoryMb),
  /** Outbound requests per action. */
  maxRequests: numberIn(LIMIT_RANGES.maxRequests),
  /** Response body kept in memory. */
  maxResponseBytes: numberIn(LIMIT_RANGES.maxResponseBytes),
  /** downloadFile body streamed to disk. */
  maxDownloadBytes: numberIn(LIMIT_RANGES.maxDownloadBytes),
  /** One outbound request unless setRequestTimeout says otherwise. */
  requestTimeoutMs: numberIn(LIMIT_RANGES.requestTimeoutMs),
  /** Console output kept per action. */
  maxLogBytes: numberIn(LIMIT_RANGES.maxLogBytes),
});

export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

/** What callers may pass: any limits; a key present as `undefined` keeps its default. */
export const limitOverridesSchema = sandboxLimitsSchema.partial();

export type LimitOverrides = z.input<typeof limitOverridesSchema>;

/** The defaults with `overrides` applied; a value out of its range is a bad_request naming it. */
export function withLimits(overrides: LimitOverrides = {}, root = "limits"): SandboxLimits {
  const checked = parseConfig(limitOverridesSchema, overrides, "bad_request", root);
  const merged: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(checked))
    if (value !== undefined) (merged as Record<string, number>)[key] = value;
  return merged;
}

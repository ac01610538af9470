/**
 * THE table of per-action limit defaults (docs/admins.md, "Limits"). The CLI flags and env vars, the
 * `limits` option of createActionRuntime and the HTTP host all start from it.
 */
import { totalmem } from "node:os";
export interface SandboxLimits {
  /** CPU time of one action. */
  cpuMs: number;
  /** Wall-clock time of one action, including HTTP waits and sleep. */
  wallMs: number;
  /**
   * The limit a timeout message names when `wallMs` is only what is left of it (a run started
   * after the action's setup took a few milliseconds): "4000 ms", not "3999 ms".
   */
  wallLimitMs?: number;
  /** Isolate heap. */
  memoryMb: number;
  /** Outbound requests per action. */
  maxRequests: number;
  /** Response body kept in memory. */
  maxResponseBytes: number;
  /** downloadFile body streamed to disk. */
  maxDownloadBytes: number;
  /** One outbound request unless setRequestTimeout says otherwise. */
  requestTimeoutMs: number;
  /** Console output kept per action. */
  maxLogBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  cpuMs: 5_000,
  wallMs: 60_000,
  memoryMb: 128,
  maxRequests: 100,
  maxResponseBytes: 10 * 1024 * 1024,
  maxDownloadBytes: 100 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  maxLogBytes: 1024 * 1024,
};

/**
 * Default isolate memory of one sandbox process (`--worker-memory-mb`): half of this machine's
 * memory shared among the worker processes, and room for at least 4 isolates of `memoryMb`.
 * Isolate heaps live outside Node's heap limit; this keeps their sum below what the machine holds.
 */
export function defaultWorkerMemoryMb(workers: number, memoryMb: number): number {
  const machineMb = totalmem() / 1024 / 1024;
  return Math.max(4 * memoryMb, Math.floor(machineMb / 2 / Math.max(1, workers)));
}

export function withLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const merged = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value === "number" && Number.isFinite(value) && value > 0) (merged as any)[key] = value;
  }
  return merged;
}

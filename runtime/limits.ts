/**
 * THE table of per-action limits: defaults and accepted ranges (docs/admins.md, "Limits"). The CLI flags
 * and env vars, the `limits` option of createActionRuntime (checked by sandbox/limits-schema.ts,
 * which also gives the SandboxLimits type) and the HTTP host all start from it.
 */
import { totalmem } from "node:os";
import type { NumberRange } from "./config-schema.ts";

const MS_PER_DAY = 86_400_000;
const GIB = 1024 * 1024 * 1024;

/**
 * What each limit accepts: a value outside is refused (bad_request, CLI exit 2), never clamped.
 * Wide on purpose — the point is to catch 0, negatives, fractions and typos, not to second-guess
 * an operator. 8 MB is the smallest heap isolated-vm makes.
 */
export const LIMIT_RANGES = {
  cpuMs: { min: 1, max: MS_PER_DAY, whole: true },
  wallMs: { min: 1, max: MS_PER_DAY, whole: true },
  wallLimitMs: { min: 1, max: MS_PER_DAY, whole: true },
  memoryMb: { min: 8, max: 65_536, whole: true },
  maxRequests: { min: 1, max: 1_000_000, whole: true },
  maxResponseBytes: { min: 1, max: GIB, whole: true },
  maxDownloadBytes: { min: 1, max: 1024 * GIB, whole: true },
  requestTimeoutMs: { min: 1, max: MS_PER_DAY, whole: true },
  maxLogBytes: { min: 1, max: GIB, whole: true },
} as const satisfies Record<string, NumberRange>;

export type LimitName = keyof typeof LIMIT_RANGES;

/** The defaults of every limit but `wallLimitMs` (which only names the limit in messages). */
export const DEFAULT_LIMITS = {
  cpuMs: 5_000,
  wallMs: 60_000,
  memoryMb: 128,
  maxRequests: 100,
  maxResponseBytes: 10 * 1024 * 1024,
  maxDownloadBytes: 100 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  maxLogBytes: 1024 * 1024,
} satisfies Record<Exclude<LimitName, "wallLimitMs">, number>;

/**
 * Default isolate memory of one sandbox process (`--worker-memory-mb`): half of this machine's
 * memory shared among the worker processes, and room for at least 4 isolates of `memoryMb`.
 * Isolate heaps live outside Node's heap limit; this keeps their sum below what the machine holds.
 */
export function defaultWorkerMemoryMb(workers: number, memoryMb: number): number {
  const machineMb = totalmem() / 1024 / 1024;
  return Math.max(4 * memoryMb, Math.floor(machineMb / 2 / Math.max(1, workers)));
}

/**
 * Default of `--warm-isolates-mb`: what idle warm isolates may take in all worker processes
 * together, about 18 apps warm (2.65 MB each, bench/memory.ts). With the server, its workers and
 * the spare (about 590 MB with one app) this keeps 200 apps each run once under 800 MB and 1,000
 * installed apps under 1.5 GB (docs/performance.md, "Memory per app"); a machine with memory to
 * spare keeps more apps warm with a larger value.
 */
export const DEFAULT_WARM_ISOLATES_MB = 48;

/**
 * Default of `--worker-nice`: sandbox worker processes run this much below the server's CPU
 * priority, so the server's main thread, which every action passes through twice, is not
 * preempted by isolates when the cores are busy (sandbox/worker/priority.ts). Measured on 2
 * cores with 4 actions spinning: 2.3–3x the API's requests/s of 0; actions/s under load
 * 0.98–1.12x of 0, within the noise (docs/performance.md, "Worker priority").
 */
export const DEFAULT_WORKER_NICE = 5;

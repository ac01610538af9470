/**
 * Lowers the CPU priority of this sandbox worker process below the server's (`--worker-nice`).
 * The server's main thread (HTTP, access checks, every commit) is the one all actions pass
 * through; when the machine's cores are busy, the scheduler lets it run first and the isolates
 * wait, instead of each preempting the other (2 cores, 4 actions spinning: the API answered 2.3–3x
 * the requests, p99 about half; docs/performance.md, "Worker priority").
 * Isolates are limited by CPU time, not wall time, so a lower priority does not make their
 * CPU limit stricter. On Linux a priority belongs to a thread: every thread this process has now
 * is lowered, and the threads it starts later (isolates, libuv) inherit it from their maker.
 * Elsewhere it belongs to the process.
 */
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** The lowest CPU priority a process can have (the highest nice value). */
const LOWEST = 19;

/** The nice value a worker has with `nice` below this process's priority. */
export function loweredNice(nice: number): number {
  return Math.min(LOWEST, getPriority() + Math.max(0, nice));
}

function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return []; // not Linux: the priority is the process's
  }
}

/**
 * `nice` 0–19 below the priority this process started with, the server's (0: unchanged; the
 * lowest is 19). A system that refuses it leaves the priority as it was.
 */
export function lowerWorkerPriority(nice: number): void {
  if (!(nice > 0)) return;
  const target = loweredNice(nice);
  const threads = threadIds();
  for (const id of threads.length ? threads : [0]) {
    try {
      setPriority(id, target);
    } catch {
      // A thread that ended meanwhile, or a system that does not allow it: nothing to lower.
    }
  }
}

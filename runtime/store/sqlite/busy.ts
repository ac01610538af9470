/**
 * Waiting for another process's write lock without freezing the event loop. node:sqlite is
 * synchronous: with a long `busy_timeout`, a CLI process holding a write transaction would stop
 * the whole server (every request, every timer) for up to that long. Instead SQLite waits only a
 * few milliseconds itself, and on SQLITE_BUSY the call is retried after an async backoff, up to a
 * deadline, while the server keeps serving (WAL readers are not blocked by a writer).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { RuntimeError } from "../../errors.ts";

/** How long SQLite's own busy handler may block the event loop per attempt. */
export const BUSY_TIMEOUT_MS = 5;
/** How long a store call waits for another process's lock in total. */
export const DEFAULT_BUSY_WAIT_MS = 10_000;
const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 100;

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

function isBusy(error: unknown): boolean {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (code !== "ERR_SQLITE_ERROR" || typeof errcode !== "number") return false;
  const primary = errcode & 0xff; // extended result codes keep the primary code in the low byte
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

/** Runs `attempt` (SQLite work) now, and again after async backoffs while the file is locked. */
export async function whenUnlocked<T>(attempt: () => T | Promise<T>, maxWaitMs: number): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() + backoff > deadline)
        throw new RuntimeError(
          "store_busy",
          `The data store stayed locked by another process for ${Math.round(maxWaitMs / 1000)} s; retry when the other command (e.g. a CLI run on the same --data folder) has finished.`,
        );
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

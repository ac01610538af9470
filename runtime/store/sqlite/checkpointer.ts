/**
 * Checkpoints on a thread of their own, for the server's store (`serve`). By default SQLite
 * checkpoints inside the commit that fills the WAL past 1,000 pages: measured under REST load,
 * that copy plus its fsync was ~16% of all commit time, and each one held the event loop for
 * 4–5 ms (the p99 of every request). With this thread copying pages every `intervalMs`, the
 * store's own connection checkpoints only as a safety net, when the WAL passes
 * `FALLBACK_PAGES` (the thread fell behind or died), and then finds most pages already copied.
 */
import { Worker } from "node:worker_threads";
import { moduleFile } from "../../paths.ts";

const ENTRY = moduleFile(import.meta.dirname, "checkpoint-thread");

/** The store connection's own autocheckpoint while the thread runs (~40 MB of WAL with 4 KB pages). */
export const FALLBACK_PAGES = 10_000;
const INTERVAL_MS = 100;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = INTERVAL_MS): Checkpointer {
  const thread = new Worker(ENTRY, { workerData: { file, intervalMs } });
  thread.unref(); // never what keeps a process alive
  thread.on("error", () => undefined); // the fallback autocheckpoint keeps the WAL bounded
  const exited = new Promise<void>((done) => thread.once("exit", () => done()));
  return {
    async stop() {
      // Held while it stops: with nothing else left in the event loop (a `serve` whose start
      // failed), an unref'd thread's exit never came and the awaiting close() was dropped.
      thread.ref();
      thread.postMessage("stop");
      await exited;
    },
  };
}

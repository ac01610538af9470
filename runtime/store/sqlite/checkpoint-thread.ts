/**
 * The background checkpointer of a long-running SQLite store (a worker_thread, started by
 * checkpointer.ts): copies committed pages from the WAL into the database file on its own
 * connection, so that the copying and its fsync do not stall the server's event loop after
 * every ~80th commit. PASSIVE checkpoints never block writers or readers.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new DatabaseSync(file);
db.exec("PRAGMA synchronous = NORMAL");

const timer = setInterval(() => {
  try {
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // A failed pass changes nothing; the next one tries again, and the store's own
    // autocheckpoint still bounds the WAL.
  }
}, intervalMs);

parentPort!.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});

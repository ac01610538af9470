/**
 * The store contract on the embedded SQLite store, in temp folders of this test file's own: as the
 * CLI opens it, and as `serve` does (WAL checkpoints on a background thread).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openSqliteStore } from "../../runtime/store/sqlite/index.ts";
import { storeContract } from "./contract.ts";

const dataDir = mkdtempSync(join(tmpdir(), "comind-store-"));
const serverDataDir = mkdtempSync(join(tmpdir(), "comind-store-serve-"));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(serverDataDir, { recursive: true, force: true });
});

storeContract("sqlite", async () => {
  const store = await openSqliteStore(dataDir);
  return { store, cleanup: () => store.close() };
});

storeContract("sqlite with background checkpoints", async () => {
  const store = await openSqliteStore(serverDataDir, { backgroundCheckpoints: true });
  return { store, cleanup: () => store.close() };
});

/** The store contract on the embedded SQLite store, in a temp folder of this test file's own. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openSqliteStore } from "../../runtime/store/sqlite/index.ts";
import { storeContract } from "./contract.ts";

const dataDir = mkdtempSync(join(tmpdir(), "comind-store-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

storeContract("sqlite", async () => {
  const store = await openSqliteStore(dataDir);
  return { store, cleanup: () => store.close() };
});

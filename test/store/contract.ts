/**
 * The store contract: one suite that every Store implementation must pass, so the embedded
 * SQLite store and Postgres behave the same. Each engine's test file calls `storeContract`.
 *
 * `open()` opens a store on the test file's own storage; calling it again opens the SAME storage
 * (that is how migrations are checked to be idempotent). `cleanup` closes what `open` opened.
 *
 * @example storeContract("sqlite", async () => { const store = await openSqliteStore(dir); return { store, cleanup: () => store.close() }; });
 */
import { afterAll, beforeAll, describe } from "vitest";
import type { Store } from "../../runtime/store/index.ts";
import type { OpenStore } from "./builders.ts";
import { fileAndRunCases } from "./contract-files-runs.ts";
import { keyCases } from "./contract-keys.ts";
import { queryCases } from "./contract-queries.ts";
import { tombstoneCases } from "./contract-tombstones.ts";
import { writeCases } from "./contract-writes.ts";
import { directoryCases } from "./contract-directory.ts";
import { rlxMatchCases } from "./contract-rlx-match.ts";
import { referenceCases } from "./contract-references.ts";

export interface ContractContext {
  /** The store opened for this suite (valid inside tests and hooks). */
  store(): Store;
  open: OpenStore;
}

export function storeContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    let opened: Awaited<ReturnType<OpenStore>> | undefined;
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });
    const context: ContractContext = {
      store: () => {
        if (!opened) throw new Error("store not opened yet");
        return opened.store;
      },
      open,
    };
    queryCases(context);
    writeCases(context);
    keyCases(context);
    fileAndRunCases(context);
    directoryCases(context);
    rlxMatchCases(context);
    tombstoneCases(context);
    referenceCases(context);
  });
}

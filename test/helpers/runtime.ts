/** A runtime over a fresh SQLite store in a temp folder, for one test file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createActionRuntime, type ActionRuntime, type RuntimeOptions } from "../../runtime/runs/index.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";

export const FIXTURE_APPS = join(import.meta.dirname, "..", "fixtures", "apps");
export const EXAMPLE_APPS = join(import.meta.dirname, "..", "..", "apps");

export interface TestRuntime {
  runtime: ActionRuntime;
  store: Store;
  dataDir: string;
  close(): Promise<void>;
}

/** `options.store`: use this store (e.g. Postgres) instead of a fresh SQLite one; it is closed too. */
export async function startRuntime(options: Partial<RuntimeOptions> = {}): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), "comind-test-"));
  const store = options.store ?? (await openStore({ dataDir }));
  const runtime = await createActionRuntime({ secrets: {}, ...options, store });
  return {
    runtime,
    store,
    dataDir,
    async close() {
      await runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Aliases of the apps that have an isolate in the runtime's in-process pool, sorted. */
export const appsWithIsolates = (t: TestRuntime) =>
  t.runtime.config.pool
    .stats()
    .filter((app) => app.isolates > 0)
    .map((app) => app.key.split(":")[0])
    .sort();

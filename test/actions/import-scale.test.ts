import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { createActionRuntime, type ActionRuntime } from "../../runtime/runs/index.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";

// 10,000 rows in one importData stay within the default limits (5 s CPU, 60 s wall) on both engines.
describe.each(ENGINES)("importData at scale on $name", (engine) => {
  let store: Store;
  let runtime: ActionRuntime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const created = await engine.create();
    cleanup = created.cleanup;
    store = await openStore(created.options);
    runtime = await createActionRuntime({ store, secrets: {} });
    await runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
  });
  afterAll(async () => {
    await runtime.close();
    await store.close();
    await cleanup();
  });

  it("imports 10,000 rows, then updates them", async () => {
    const first = await runtime.run({
      caller: asDeveloper(),
      app: "PROBE",
      action: "import_many",
      values: { c_count: 10_000 },
    });
    expect(first.ok && first.entity.c_note).toBe("10000 created, 0 updated");
    expect(
      await store.countRecords({
        workspace: "DEMO",
        app: "PROBE",
        filter: { kind: "contains", field: "c_key", value: "bulk-" },
      }),
    ).toBe(10_000);
    const second = await runtime.run({
      caller: asDeveloper(),
      app: "PROBE",
      action: "import_many",
      values: { c_count: 10_000 },
    });
    expect(second.ok && second.entity.c_note).toBe("0 created, 10000 updated");
    const sample = await store.findRecords({
      workspace: "DEMO",
      app: "PROBE",
      where: { c_key: "bulk-9999" },
    });
    expect(sample.map((r) => [r.fields.title, r.fields.c_count])).toEqual([["bulk row 9999", 9999]]);
  });
});

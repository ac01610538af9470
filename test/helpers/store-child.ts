/**
 * A separate runtime process for crash and concurrency tests. Reads one JSON argument:
 *   { store: { dataDir?, databaseUrl?, schema? }, mode: "hang", midwayUrl }  -> runs import_then_hang
 *   { store, mode: "edits", recordIds, count }  -> runs `count` increments, prints { ok, conflicts, failed }
 */
import { join } from "node:path";
import { asDeveloper } from "../../runtime/index.ts";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { openStore } from "../../runtime/store/index.ts";

const config = JSON.parse(process.argv[2]);
const store = await openStore({
  dataDir: config.store.dataDir ?? "",
  databaseUrl: config.store.databaseUrl,
  schema: config.store.schema,
});
const runtime = await createActionRuntime({ store, secrets: {}, allowHosts: ["127.0.0.1"] });
await runtime.loadApp(join(import.meta.dirname, "..", "fixtures", "apps", "app-probe"));

if (config.mode === "hang") {
  await runtime.run({
    caller: asDeveloper(),
    app: "PROBE",
    action: "import_then_hang",
    values: { c_note: config.midwayUrl },
  });
} else {
  const tally = { ok: 0, conflicts: 0, failed: 0 };
  for (let i = 0; i < config.count; i++) {
    const recordId = config.recordIds[Math.floor(Math.random() * config.recordIds.length)];
    const result = await runtime.run({ caller: asDeveloper(), app: "PROBE", action: "increment", recordId });
    if (result.ok) tally.ok++;
    else if (result.error.code === "conflict") tally.conflicts++;
    else tally.failed++;
  }
  await runtime.close();
  await store.close();
  process.stdout.write(JSON.stringify(tally), () => process.exit(0));
}

import { it } from "vitest";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime } from "../helpers/runtime.ts";
it("probe", async () => {
  const t = await startRuntime({ limits: { cpuMs: 60000, wallMs: 60000, memoryMb: 128 } });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-hostile"));
  for (const action of (process.env.ACTIONS ?? "").split(",")) {
    const t0 = Date.now();
    const r: any = await t.runtime.run({ app: "HOSTILE", action });
    console.log(
      action,
      Date.now() - t0,
      r.cpuMs,
      JSON.stringify(r.ok ? r.entity.c_note : r.error).slice(0, 300),
    );
  }
  await t.close();
}, 300000);

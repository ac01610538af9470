// `dev` rebuilds an app when one of its plugins changes (watchApps, in process).
import { afterAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchApps } from "../../runtime/cli/watch-apps.ts";
import { startRuntime } from "../helpers/runtime.ts";

const LAYERED = join(import.meta.dirname, "..", "fixtures", "layered");
const dir = mkdtempSync(join(tmpdir(), "comind-watch-layers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dev mode with plugins", () => {
  it("rebuilds the apps composed of a plugin when the plugin changes", async () => {
    const apps = join(dir, "apps");
    cpSync(LAYERED, apps, { recursive: true });
    const t = await startRuntime();
    const errors: unknown[] = [];
    const log = { info: () => undefined, error: (...args: unknown[]) => errors.push(args) };
    try {
      await t.runtime.loadAppsFrom(apps);
      const stop = await watchApps(t.runtime, apps, log);
      try {
        writeFileSync(
          join(apps, "plugin-audit", "actions", "logic", "index.ts"),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the written file holds a template literal
          'import { entity } from "#typings";\nexport default { edit() { entity.c_trail = `${entity.c_trail ?? ""}plugin2;`; } };\n',
        );
        let trail: unknown;
        for (let i = 0; i < 100 && trail !== "plugin2;parent;app;"; i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const run = await t.runtime.run({
            caller: asDeveloper(),
            app: "LAYERED",
            action: "add",
            values: {},
          });
          const edit = await t.runtime.run({
            caller: asDeveloper(),
            app: "LAYERED",
            action: "edit",
            recordId: run.recordId!,
          });
          trail = edit.ok ? edit.entity.c_trail : edit.error.message;
        }
        expect(trail).toBe("plugin2;parent;app;");
        expect(errors).toEqual([]);
      } finally {
        await stop();
      }
    } finally {
      await t.close();
    }
  });
});

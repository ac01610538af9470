// Plugins (`@comind/plugin-*` dependencies) and inheritance (`comindApp.inheritFrom`): fields,
// actions, vars, logic and preconditions combined base -> plugins -> parent -> app.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { buildApp } from "../../runtime/bundle/index.ts";
import { resolveLayers } from "../../runtime/bundle/layers.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const LAYERED = join(import.meta.dirname, "..", "fixtures", "layered");
const CYCLE = join(import.meta.dirname, "..", "fixtures", "layered-cycle");
let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime();
});
afterAll(async () => {
  removeTempApps();
  await t.close();
});

describe("app layers", () => {
  it("orders plugins, then the parent, then the app", () => {
    expect(resolveLayers(join(LAYERED, "app-child")).map((layer) => layer.name)).toEqual([
      "@comind/plugin-audit",
      "@comind/app-base-ticket",
      "app-child",
    ]);
  });

  it("serves the apps of a folder but not its plugin packages", async () => {
    const loaded = await t.runtime.loadAppsFrom(LAYERED);
    expect(loaded.map((app) => app.alias).sort()).toEqual(["BASETICKET", "LAYERED"]);
  });

  it("merges fields, actions and vars, later layers overriding earlier ones", () => {
    const app = t.runtime.apps.get("LAYERED")!;
    expect(app.manifest.fields.map((f) => [f.name, f.caption ?? null])).toEqual([
      ["c_trail", "Trail"],
      ["c_blocked", null],
      ["c_own", null],
    ]);
    expect(app.manifest.actions).toEqual([{ uid: "escalate", caption: "Escalate" }]);
    expect(app.manifest.vars).toEqual({ a: 1, b: 2 });
  });

  it("runs each layer's logic for an action in order", async () => {
    const edit = await t.runtime.run({
      caller: asDeveloper(),
      app: "LAYERED",
      action: "edit",
      values: { title: "x" },
      createIfMissing: true,
    });
    expect(edit.ok && edit.entity.c_trail).toBe("plugin;parent;app;");
    const esc = await t.runtime.run({
      caller: asDeveloper(),
      app: "LAYERED",
      action: "escalate",
      recordId: edit.recordId!,
    });
    expect(esc.ok && esc.entity.c_trail).toBe("plugin;parent;app;parent-escalate(1,2);app-escalate;");
  });

  it("requires every layer's precondition", async () => {
    const made = await t.runtime.run({
      caller: asDeveloper(),
      app: "LAYERED",
      action: "add",
      values: { c_blocked: true },
    });
    const esc = await t.runtime.run({
      caller: asDeveloper(),
      app: "LAYERED",
      action: "escalate",
      recordId: made.recordId!,
    });
    expect(!esc.ok && esc.error.code).toBe("precondition_failed");
  });

  it("refuses inheritance cycles and missing plugins with app_invalid", async () => {
    await expect(buildApp(join(CYCLE, "app-a"))).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringMatching(/cycle: app-a -> app-b -> app-a/),
    });
    const missing = writeTempApp({}, { dependencies: { "@comind/plugin-not-installed": "*" } });
    await expect(buildApp(missing)).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringMatching(
        /"@comind\/plugin-not-installed", which is neither in the apps folder nor in node_modules/,
      ),
    });
  });
});

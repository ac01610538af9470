// Issue 24's command-line papercuts, through the real binary: `check` on a plugin folder, one
// case rule for app aliases, `history` of an unknown record, token labels and the column headers
// of `users list` / `token list`, and `check` refusing globals the sandbox does not have.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-first-hour-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (stdout: string) => JSON.parse(stdout);

describe("check on a plugin folder", () => {
  it("recognises the plugin as serve does and checks it as part of the app that uses it", async () => {
    const result = await runCli(["check", "apps/app-helpdesk", "apps/plugin-helpdesk-sla", "--json"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const [app, plugin] = json(result.stdout).apps;
    expect(app).toMatchObject({ dir: "apps/app-helpdesk", ok: true, alias: "HELPDESK" });
    expect(plugin).toEqual({
      dir: "apps/plugin-helpdesk-sla",
      ok: true,
      plugin: "@comind/plugin-helpdesk-sla",
      usedBy: ["apps/app-helpdesk"],
    });
    const text = await runCli(["check", "apps/plugin-helpdesk-sla"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "✔ apps/plugin-helpdesk-sla: plugin @comind/plugin-helpdesk-sla, not used by the apps checked here",
    );
  });

  it("run on a plugin folder says it is a plugin, not that package.json lacks comindApp", async () => {
    const result = await runCli(["run", "apps/plugin-helpdesk-sla", "add"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'app_invalid: "apps/plugin-helpdesk-sla" is the plugin @comind/plugin-helpdesk-sla: a layer of the apps',
    );
  });
});

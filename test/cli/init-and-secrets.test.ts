import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-init-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("comind-runtime init and secrets", () => {
  it("scaffolds an app that builds, runs and type-checks", async () => {
    const app = join(dir, "app-invoice");
    const created = await runCli(["init", app, "--alias", "invoice", "--json"]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ ok: true, alias: "INVOICE" });
    const run = await runCli(["run", app, "touch", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      entity: { c_counter: 1 },
      logs: [{ level: "log", message: "touched 1 times (API key not set)" }],
    });
    execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", join(app, "tsconfig.json")], {
      stdio: "pipe",
    });
    const again = await runCli(["init", app, "--alias", "INVOICE"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists and is not empty/);
  });

  it("lists declared secrets and whether they are set, never the values", async () => {
    const env = join(dir, ".env");
    writeFileSync(env, "COMIND_SECRET_CRM_API_KEY=super-secret-value\n");
    const result = await runCli(["secrets", "apps/app-crm-contact", "--env", env, "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      app: "CONTACT",
      secrets: [
        { name: "COMIND_SECRET_CRM_API_KEY", set: true },
        { name: "COMIND_SECRET_CRM_BASE_URL", set: false },
      ],
    });
    expect(result.stdout).not.toContain("super-secret-value");
  });
});

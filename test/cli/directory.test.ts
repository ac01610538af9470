// `users`, `groups` and `access` commands on a real store, and `run --user` seeing the result.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";

const data = mkdtempSync(join(tmpdir(), "comind-directory-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli([...args, "--data", data]);

describe("users, groups and access from the command line", () => {
  it("adds users and groups, lists them, and grants per-app permissions", { timeout: 180_000 }, async () => {
    expect(
      (await cli("users", "add", "ann", "--email", "Ann@Acme.test", "--time-zone", "Europe/Berlin")).code,
    ).toBe(0);
    expect((await cli("users", "add", "ann", "--name", "Ann A.", "--workspace-admin")).code).toBe(0);
    expect((await cli("groups", "add", "QA", "--description", "testers")).code).toBe(0);
    expect((await cli("groups", "add-member", "qa", "ann@acme.test")).code).toBe(0);
    const users = JSON.parse((await cli("users", "list", "--json")).stdout);
    expect(users).toEqual([
      expect.objectContaining({
        id: "ann",
        email: "ann@acme.test",
        name: "Ann A.",
        timeZone: "Europe/Berlin",
        groups: ["qa"],
        adminOfWorkspaces: ["DEMO"],
      }),
    ]);
    expect((await cli("groups", "list")).stdout).toBe("qa\tann\n");
    const granted = await cli("access", "grant", "forms", "qa", "read", "run", "--json");
    expect(JSON.parse(granted.stdout).map((p: any) => p.permission)).toEqual(["read", "run"]);
    await cli("access", "revoke", "FORMS", "qa", "run");
    expect((await cli("access", "list", "FORMS")).stdout).toBe("FORMS\tqa\tread\n");
  });

  it("refuses bad input with exit 2 and one line", { timeout: 180_000 }, async () => {
    for (const args of [
      ["users", "add", "x", "--time-zone", "Mars/Olympus"],
      ["groups", "add-member", "nogroup", "ann"],
      ["groups", "add-member", "qa", "nobody"],
      ["access", "grant", "FORMS", "qa", "delete"],
      ["access", "grant", "FORMS", "nogroup", "read"],
    ]) {
      const result = await cli(...args);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("runs an action as a stored user: currentUser has their groups", async () => {
    const record = join(data, "record.json");
    writeFileSync(record, JSON.stringify({ c_case: "user" }));
    const run = await cli(
      "run",
      join(FIXTURE_APPS, "app-forms"),
      "run_case",
      "--record",
      record,
      "--user",
      "ann",
      "--json",
    );
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    // id, isGlobalAdmin (the CLI's caller is trusted), isWorkspaceAdmin, isInGroup("qa"), ...
    expect(result.entity.c_result.value.slice(0, 5)).toEqual(["ann", true, true, true, true]);
  });
});

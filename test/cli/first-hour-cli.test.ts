// Issue 24's command-line papercuts, through the real binary: `check` on a plugin folder, one
// case rule for app aliases, `history` of an unknown record, token labels and the column headers
// of `users list` / `token list`, and `check` refusing globals the sandbox does not have.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-first-hour-"));
afterAll(() => {
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout);

describe("check on a plugin folder", () => {
  it("recognises the plugin as serve does and checks it as part of the app that uses it", {
    timeout: 180_000,
  }, async () => {
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

  it("run on a plugin folder says it is a plugin, not that package.json lacks comindApp", {
    timeout: 180_000,
  }, async () => {
    const result = await runCli(["run", "apps/plugin-helpdesk-sla", "add"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'app_invalid: "apps/plugin-helpdesk-sla" is the plugin @comind/plugin-helpdesk-sla: a layer of the apps',
    );
  });
});

describe("token labels and list headers", () => {
  it("--label names a token in token list; --name stays the new user's display name", {
    timeout: 180_000,
  }, async () => {
    const data = join(dir, "tokens");
    const created = await runCli([
      "token",
      ...["create", "alice", "--name", "Alice A.", "--label", "laptop", "--data", data, "--json"],
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(json(created.stdout)).toMatchObject({ label: "laptop" });
    await runCli(["token", "create", "alice", "--label", "ci runner", "--data", data]);
    await runCli(["token", "create", "bob", "--data", data]);

    const listed = json((await runCli(["token", "list", "--data", data, "--json"])).stdout);
    expect(listed.map((t: { userId: string; label: string | null }) => [t.userId, t.label])).toEqual([
      ["alice", "laptop"],
      ["alice", "ci runner"],
      ["bob", null],
    ]);
    const text = (await runCli(["token", "list", "--data", data])).stdout.trimEnd().split("\n");
    expect(text[0]).toMatch(/^ID +USER +LABEL +ADMIN +CREATED$/);
    expect(text).toHaveLength(4);
    expect(text[1]).toMatch(new RegExp(`^${listed[0].id} +alice +laptop +no +\\d{4}-`));
    expect(text[2]).toMatch(/ alice +ci runner +no /);
    expect(text[3]).toMatch(/ bob +- +no /);
    // Every column starts where its header does.
    for (const header of ["USER", "LABEL", "ADMIN", "CREATED"]) {
      const at = text[0].indexOf(header);
      for (const row of text.slice(1)) expect(row[at - 1], `${header}: ${row}`).toBe(" ");
    }

    const users = await runCli(["users", "list", "--data", data]);
    expect(users.stdout.split("\n")[0]).toMatch(/^ID +EMAIL +NAME +GROUPS +ADMIN OF$/);
    expect(users.stdout).toMatch(/^alice +- +Alice A\. +- +-$/m);
    expect(json((await runCli(["users", "list", "--data", data, "--json"])).stdout)).toEqual([
      expect.objectContaining({ id: "alice", name: "Alice A." }),
      expect.objectContaining({ id: "bob", name: "bob" }),
    ]);
  });

  it("refuses an empty or overlong label with exit 2", { timeout: 180_000 }, async () => {
    const data = join(dir, "bad-labels");
    for (const label of ["", " ", "x".repeat(101), "line\nbreak"]) {
      const result = await runCli(["token", "create", "ann", "--label", label, "--data", data]);
      expect(result.code, JSON.stringify(label)).toBe(2);
      expect(result.stderr).toContain("--label must be 1 to 100 printable characters");
    }
  });
});

describe("one case rule, and history of an unknown record", () => {
  it("runs --app matches the alias in any case; history of an unknown id is not_found, exit 1", {
    timeout: 180_000,
  }, async () => {
    const app = writeTempApp({}, { alias: "CASED" });
    const data = join(dir, "cased");
    const ran = await runCli(["run", app, "go", "--data", data, "--json"]);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const recordId = json(ran.stdout).entity.id;

    for (const alias of ["cased", "Cased"]) {
      const runs = await runCli(["runs", "--app", alias, "--data", data, "--json"]);
      expect(runs.code).toBe(0);
      expect(
        json(runs.stdout).map((r: { app: string; action: string }) => [r.app, r.action]),
        alias,
      ).toEqual([["CASED", "go"]]);
    }
    const none = await runCli(["runs", "--app", "other", "--data", data]);
    expect(none.stdout).toContain("No runs of OTHER in the store");

    const history = await runCli(["history", recordId, "--data", data, "--json"]);
    expect(history.code).toBe(0);
    expect(json(history.stdout)[0].changes).toContainEqual({ field: "c_text", old: null, new: "went" });
    const unknown = await runCli(["history", "no-such-record", "--data", data]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe(
      `comind-runtime: not_found: No record no-such-record in the store in "${data}" (workspace DEMO); list record ids with \`comind-runtime records <app-dir>\`.\n`,
    );
  });
});

describe("check and run agree on fetch", () => {
  it("check fails a use of fetch with its file:line, as run does, before any action runs", {
    timeout: 180_000,
  }, async () => {
    const app = writeTempApp({
      "actions/logic/index.ts":
        'import { entity } from "#typings";\nexport default {\n  go() {\n    entity.c_text = String(fetch("https://example.com"));\n  },\n};\n',
    });
    const check = await runCli(["check", app]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      `✖ ${app}: build_error: actions/logic/index.ts:4:28: fetch() is not available in action logic: use RestApi.`,
    );
    const run = await runCli(["run", app, "go", "--json"]);
    expect(run.code).toBe(1);
    expect(json(run.stdout)).toMatchObject({ ok: false, error: { code: "build_error" }, logs: [] });
  });
});

// Each papercut a new app developer hit with the CLI, reproduced through the real binary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "comind-papercuts-"));
});
afterAll(() => {
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout);

const COUNTER_APP = {
  "fields/index.ts":
    'export default [{ name: "c_n", caption: "N", type: "number" }, { name: "c_tag", caption: "Tag", type: "text" }] as const;\n',
  "actions/index.ts": 'export default [{ uid: "go", caption: "Go" }] as const;\n',
  "actions/logic/index.ts":
    'import { entity } from "#typings";\nexport default { go() { entity.c_tag = entity.c_n > 1 ? "big" : "small"; } };\n',
};

describe("run --json on an app that does not build", () => {
  it("prints one JSON document with build_error and exits 1, like check", async () => {
    const app = writeTempApp({ "actions/logic/index.ts": "export default { go() { const = 1; } };\n" });
    const result = await runCli(["run", app, "go", "--json"]);
    expect(result.code).toBe(1);
    const doc = json(result.stdout);
    expect(doc).toMatchObject({ ok: false, error: { code: "build_error" }, logs: [] });
    expect(doc.error.message).toMatch(/actions\/logic\/index\.ts:1/);
    const check = await runCli(["check", app, "--json"]);
    expect(check.code).toBe(1);
    expect(json(check.stdout).apps[0].error.code).toBe("build_error");
  });
});

describe("check", () => {
  it("fails an app whose action logic is async", async () => {
    const app = writeTempApp({
      "actions/logic/index.ts":
        'import { entity } from "#typings";\nexport default { async go() { entity.c_text = "x"; } };\n',
    });
    const result = await runCli(["check", app, "--json"]);
    expect(result.code).toBe(1);
    expect(json(result.stdout).apps[0].error).toMatchObject({ code: "app_invalid" });
    expect(json(result.stdout).apps[0].error.message).toMatch(
      /go is async; action logic must be synchronous/,
    );
  });

  it("fails both apps of two with one publishingAlias, and passes distinct ones", async () => {
    const first = writeTempApp({}, { alias: "TWIN" });
    const second = writeTempApp({}, { alias: "TWIN" });
    const other = writeTempApp({}, { alias: "SINGLE" });
    const result = await runCli(["check", first, second, other, "--json"]);
    expect(result.code).toBe(1);
    const apps = json(result.stdout).apps;
    expect(apps.map((a: { ok: boolean }) => a.ok)).toEqual([false, false, true]);
    expect(apps[0].error.message).toContain(`publishingAlias TWIN is also used by "${second}"`);
    expect(apps[1].error.message).toContain(`"${first}"`);
  });
});

describe("records, runs and history", () => {
  it("records --filter speaks the REST API's rlx, and names an unknown field", async () => {
    const app = writeTempApp(COUNTER_APP, { alias: "COUNTER" });
    const data = join(dir, "rlx-data");
    for (const n of [1, 2, 3]) {
      const record = join(dir, `record-${n}.json`);
      const { writeFileSync } = await import("node:fs");
      writeFileSync(record, JSON.stringify({ c_n: n }));
      expect((await runCli(["run", app, "go", "--record", record, "--data", data])).code).toBe(0);
    }
    const big = await runCli(["records", app, "--data", data, "--json", "--filter", 'c_n>1 AND c_tag~"BI"']);
    expect(big.code).toBe(0);
    expect(
      json(big.stdout)
        .map((r: { c_n: number }) => r.c_n)
        .sort(),
    ).toEqual([2, 3]);
    const either = await runCli([
      "records",
      app,
      "--data",
      data,
      "--json",
      "--filter",
      'c_n in "1,3":number[]',
    ]);
    expect(
      json(either.stdout)
        .map((r: { c_n: number }) => r.c_n)
        .sort(),
    ).toEqual([1, 3]);
    const none = await runCli(["records", app, "--data", data, "--filter", "c_n>100"]);
    expect(none.stdout).toContain("No records of COUNTER match the filter");

    const typo = await runCli(["records", app, "--data", data, "--filter", "c_nn>1"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('"c_nn"');
    const malformed = await runCli(["records", app, "--data", data, "--filter", "c_n >> 1"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/Invalid rlx filter at position \d+/);
  });

  it("say there is no store behind a mistyped --data, and create none", async () => {
    const app = writeTempApp(COUNTER_APP, { alias: "COUNTER" });
    const typo = join(dir, "dtaa");
    for (const args of [["records", app], ["runs"], ["history", "some-id"], ["token", "list"]]) {
      const result = await runCli([...args, "--data", typo]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(`There is no store in "${typo}"`);
    }
    const { existsSync } = await import("node:fs");
    expect(existsSync(typo)).toBe(false);
  });

  it("say so when a store is empty", async () => {
    const app = writeTempApp(COUNTER_APP, { alias: "COUNTER" });
    const data = join(dir, "empty-data");
    expect((await runCli(["token", "create", "someone", "--data", data])).code).toBe(0);
    const records = await runCli(["records", app, "--data", data]);
    expect(records.stdout).toContain(`No records of COUNTER in the store in "${data}"`);
    const runs = await runCli(["runs", "--data", data, "--failed"]);
    expect(runs.stdout).toContain(`No failed runs in the store in "${data}"`);
    const history = await runCli(["history", "nope", "--data", data]);
    expect(history.code).toBe(1);
    expect(history.stderr).toContain(`not_found: No record nope in the store in "${data}"`);
  });
});

describe("action errors", () => {
  it("a wall-clock limit of 1500 ms is reported as 1500 ms", async () => {
    const app = writeTempApp({
      "actions/logic/index.ts": "export default { go() { for (;;) ComindServer.sleep(200); } };\n",
    });
    const result = await runCli(["run", app, "go", "--wall-ms", "1500", "--json"]);
    expect(result.code).toBe(1);
    expect(json(result.stdout).error).toMatchObject({ code: "timeout" });
    expect(json(result.stdout).error.message).toContain("wall-clock limit of 1500 ms");
  });

  it("throw { code, message } shows the message and keeps the code", async () => {
    const app = writeTempApp({
      "actions/logic/index.ts":
        'export default { go() { throw { code: "CRM_DOWN", message: "The CRM is down" }; } };\n',
    });
    const result = await runCli(["run", app, "go", "--json"]);
    expect(result.code).toBe(1);
    expect(json(result.stdout).error).toMatchObject({
      code: "logic_error",
      message: "The CRM is down (code CRM_DOWN)",
    });
  });

  it("errors name the app folder as the user wrote it", async () => {
    mkdirSync(join(dir, "nested", "app-empty"), { recursive: true });
    const result = await runCli(["check", "nested/app-empty", "--json"], { cwd: dir });
    expect(json(result.stdout).apps[0].error.message).toContain(
      'App folder "nested/app-empty" has no package.json',
    );
  });
});

/** A port on 127.0.0.1 where nothing listens (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a Postgres store that cannot be opened is store_unavailable", () => {
  it.each([
    ["not a URL", async () => "notaurl", /is not a Postgres URL: use postgres:\/\//],
    [
      "a closed port",
      async () => `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
      /nothing accepts connections on 127\.0\.0\.1:\d+/,
    ],
    [
      "a missing database",
      async () => "postgres://postgres@127.0.0.1:5432/comind_no_such_database",
      /the database "comind_no_such_database" does not exist/,
    ],
    [
      "another database's URL, its password hidden",
      async () => "mysql://me:hunter2@127.0.0.1/db",
      /the database URL "mysql:\/\/\*\*\*@127\.0\.0\.1\/db" is not a Postgres URL/,
    ],
  ])("%s", async (_name, url, message) => {
    const result = await runCli(["runs", "--database-url", await url()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^comind-runtime: store_unavailable: Cannot open the Postgres store: /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/getaddrinfo|ENOTFOUND|unexpected error|hunter2/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("serve with a Postgres store that waiting cannot fix", () => {
  it.each([
    ["not a URL", "notaurl"],
    ["a missing database", "postgres://postgres@127.0.0.1:5432/comind_no_such_database"],
  ])("%s: exits 1 at once instead of waiting for the database", async (_name, url) => {
    const result = await runCli(["serve", "--apps", "apps", "--port", "0", "--database-url", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/comind-runtime: store_unavailable: Cannot open the Postgres store: /);
    expect(result.stderr).not.toContain("trying again");
  });
});

describe("token list and revoke", () => {
  it("lists tokens without their hashes and revokes one by id", async () => {
    const data = join(dir, "token-data");
    const created = json(
      (await runCli(["token", "create", "alice", "--admin", "--data", data, "--json"])).stdout,
    );
    await runCli(["token", "create", "bob", "--data", data]);
    const listed = json((await runCli(["token", "list", "--data", data, "--json"])).stdout);
    expect(listed.map((t: { userId: string }) => t.userId)).toEqual(["alice", "bob"]);
    expect(listed[0]).toMatchObject({ userId: "alice", isAdmin: true });
    expect(JSON.stringify(listed)).not.toMatch(/tokenHash|cmw_/);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const revoked = await runCli(["token", "revoke", listed[0].id, "--data", data]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked token ${listed[0].id}`);
    const after = json((await runCli(["token", "list", "--data", data, "--json"])).stdout);
    expect(after.map((t: { userId: string }) => t.userId)).toEqual(["bob"]);
    const again = await runCli(["token", "revoke", listed[0].id, "--data", data]);
    expect(again.code).toBe(1);
  });
});

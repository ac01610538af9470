// An app repository's `.env` is read by `run`, `secrets`, `serve` and `dev` without `--env`
// (`cp .env.example .env` is all it takes); the process environment wins over the file, a file
// named by --env must exist, and values never reach the output.
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envFileNote, resolveEnvFile } from "../../runtime/cli/env-file.ts";
import { UsageError } from "../../runtime/cli/output.ts";
import { runCli } from "../helpers/cli.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const FILE_VALUE = "value-from-the-file";
const ENV_VALUE = "value-from-the-environment";

/** An app repository: apps/app-sec reads COMIND_SECRET_SEC_KEY and fails without it. */
function appRepository(dotEnv?: string): string {
  const repo = mkdtempSync(join(tmpdir(), "comind-env-repo-"));
  const app = writeTempApp(
    {
      "settings/secrets.ts": "export const secrets = { key: process.env.COMIND_SECRET_SEC_KEY };\n",
      "actions/logic/index.ts": [
        'import { entity } from "#typings";',
        'import { AppSchema } from "@comind/api/server";',
        "export default {",
        "  go() {",
        "    const { COMIND_SECRET_SEC_KEY: key } = AppSchema.getSecrets();",
        '    if (!key) throw "Set COMIND_SECRET_SEC_KEY (in .env or the environment).";',
        `    entity.c_text = key === "${FILE_VALUE}" ? "from the file" : key === "${ENV_VALUE}" ? "from the environment" : "other";`,
        "  },",
        "};",
        "",
      ].join("\n"),
    },
    { alias: "SEC" },
  );
  mkdirSync(join(repo, "apps"));
  cpSync(app, join(repo, "apps", "app-sec"), { recursive: true });
  if (dotEnv !== undefined) writeFileSync(join(repo, ".env"), dotEnv);
  return repo;
}

const repos: string[] = [];
const newRepository = (dotEnv?: string) => {
  const repo = appRepository(dotEnv);
  repos.push(repo);
  return repo;
};
afterAll(() => {
  removeTempApps();
  for (const repo of repos) rmSync(repo, { recursive: true, force: true });
});

const runGo = (cwd: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runCli(["run", "apps/app-sec", "go", "--json", ...extra], { cwd, env });

describe("./.env of an app repository", () => {
  const repo = newRepository(`# copied from .env.example\nCOMIND_SECRET_SEC_KEY=${FILE_VALUE}\nPORT=9999\n`);

  it("run reads it without --env, says so in one line and never shows the value", async () => {
    const result = await runGo(repo);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).entity.c_text).toBe("from the file");
    expect(result.stderr.trim()).toBe(
      "loaded 1 variable from .env (ignored, only COMIND_SECRET_* are read from it: PORT)",
    );
    expect(result.stdout + result.stderr).not.toContain(FILE_VALUE);
  });

  it("a variable set in the process environment wins over the file", async () => {
    const result = await runGo(repo, [], { COMIND_SECRET_SEC_KEY: ENV_VALUE });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).entity.c_text).toBe("from the environment");
    expect(result.stderr).toContain("set in the environment too, which wins: COMIND_SECRET_SEC_KEY");
    expect(result.stdout + result.stderr).not.toContain(ENV_VALUE);
  });

  it("secrets reads it too", async () => {
    const result = await runCli(["secrets", "apps/app-sec"], { cwd: repo });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("✔ COMIND_SECRET_SEC_KEY");
    expect(result.stderr).toContain("loaded 1 variable from .env");
  });

  it("--env names another file instead, read without a word (the user named it)", async () => {
    writeFileSync(join(repo, "other.env"), `COMIND_SECRET_SEC_KEY=${ENV_VALUE}\n`);
    const result = await runGo(repo, ["--env", "other.env"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).entity.c_text).toBe("from the environment");
    expect(result.stderr).toBe("");
  });

  it("a file named by --env that does not exist is bad usage, exit 2", async () => {
    const result = await runGo(repo, ["--env", "missing.env"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      'comind-runtime: The env file "missing.env" (--env) does not exist: create it, or leave out --env to read ./.env when there is one.',
    );
  });
});

describe("without ./.env", () => {
  it("nothing is said and the secret is missing", async () => {
    const result = await runGo(newRepository());
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toContain("Set COMIND_SECRET_SEC_KEY");
    expect(result.stderr).toBe("");
  });
});

describe("resolveEnvFile", () => {
  it("is silent without a default .env and refuses a named file that is missing", () => {
    const empty = newRepository();
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      expect(resolveEnvFile(undefined, {})).toEqual({});
      expect(() => resolveEnvFile("nope.env", {})).toThrow(UsageError);
    } finally {
      process.chdir(cwd);
    }
  });

  it("names counts and names, never values", () => {
    const note = envFileNote(
      ".env",
      { COMIND_SECRET_A: "s3cret-a", COMIND_SECRET_B: "s3cret-b", DATABASE_URL: "postgres://u:pw@h/db" },
      { COMIND_SECRET_B: "from-env" },
    );
    expect(note).toBe(
      "loaded 2 variables from .env (set in the environment too, which wins: COMIND_SECRET_B; ignored, only COMIND_SECRET_* are read from it: DATABASE_URL)",
    );
  });
});

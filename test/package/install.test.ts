// What a new user does: `npm pack`, install the tarball into an empty folder with Node 24, and
// from there: --help, `init --workspace` (an app repository), check, type-check, run against a
// loopback mock, serve --workers 2, and the generated vitest test. Nothing here reads the clone's
// sources: the package's JavaScript in node_modules/comind-runtime/dist does all of it.
// Then the same from an empty folder on the machine's own, older Node (issue 24): npx of the
// tarball stops with the version line, the command it names makes the app repository, and that
// repository's `npm install` and `npm test` pass, with the older Node first on PATH throughout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { ROOT } from "../helpers/cli.ts";
import { type CliProcess, startCli } from "../helpers/cli-process.ts";
import { npxInstalls, removeNpxInstallsUnder } from "../helpers/npx-cache.ts";

const NODE24_BIN = dirname(realpathSync(join(ROOT, "node_modules", ".bin", "node")));
const OWN = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "comind-package-"));
const project = join(tmp, "project");
const repo = join(project, "my-apps");
// The user's environment (CA certificates, proxies) minus what an outer `npm test` set for itself.
const ENV: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => !/^npm_/i.test(entry[0]) && entry[1] !== undefined,
    ),
  ),
  PATH: `${NODE24_BIN}:${process.env.PATH ?? ""}`,
  npm_config_update_notifier: "false",
};

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

// Only against a hang: an install on a busy 2-core machine took 2.5 minutes.
function sh(file: string, args: string[], cwd: string, env = ENV, timeout = 900_000): Promise<Done> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

const cli = (args: string[], cwd = repo) =>
  sh(join(project, "node_modules", ".bin", "comind-runtime"), args, cwd);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let tarball: string;
let greetingApi: Server;
let greetingUrl: string;
let server: CliProcess | undefined;

beforeAll(async () => {
  const packed = await sh("npm", ["pack", "--json", "--pack-destination", tmp], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(tmp, JSON.parse(packed.stdout)[0].filename);
  writeFileSync(join(tmp, "package.json"), "{}");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ private: true }));
  // The npm cache already holds every dependency (the clone's own install): --prefer-offline
  // installs from it and asks the registry only for what is missing.
  const installed = await sh(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      tarball,
      `vitest@${OWN.devDependencies.vitest}`,
    ],
    project,
  );
  expect(installed.code, installed.stderr).toBe(0);
  greetingApi = createServer((req, res) => {
    const ok = req.url === "/greeting" && req.headers["x-api-key"] === "real-key";
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { greeting: "hello from loopback" } : { error: "no" }));
  });
  await new Promise<void>((resolve) => greetingApi.listen(0, "127.0.0.1", resolve));
  greetingUrl = `http://127.0.0.1:${(greetingApi.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => (greetingApi ? greetingApi.close(() => resolve()) : resolve()));
  removeNpxInstallsUnder(tmp, ENV);
  for (const dir of npxInstallsOfNode24) rmSync(dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}, 600_000);

describe("the published package", () => {
  it("holds JavaScript, .d.ts and runtime files only: no sources, tests, bench or CI", async () => {
    const listed = await sh("tar", ["-tzf", tarball], tmp);
    const files = listed.stdout.trim().split("\n");
    expect(files).toContain("package/dist/runtime/cli/index.js");
    expect(files).toContain("package/dist/runtime/sandbox/worker/worker-main.js");
    expect(files).toContain("package/dist/runtime/testing/index.d.ts");
    expect(files).toContain("package/dist/globals/app-tsconfig.json");
    expect(files).toContain("package/dist/globals/ambient.d.ts");
    expect(
      files.some((f) => /^package\/dist\/runtime\/store\/migrations\/sqlite\/\d+_.*\.sql$/.test(f)),
    ).toBe(true);
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    // Every file the runtime reads at run time (SQL, templates, views, assets), whoever added it.
    const tracked = (await sh("git", ["ls-files", "runtime", "globals"], ROOT)).stdout.trim().split("\n");
    const runtimeFiles = tracked.filter((f) => !f.endsWith(".ts") || f.endsWith(".d.ts"));
    expect(runtimeFiles.length).toBeGreaterThan(5);
    for (const file of runtimeFiles) expect(files, file).toContain(`package/dist/${file}`);
    expect(files.filter((f) => /^package\/(test|bench|\.ci|apps|runtime|globals|scripts)\//.test(f))).toEqual(
      [],
    );
  });

  it("answers --help", async () => {
    const help = await cli(["--help"], project);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: comind-runtime");
  });

  it("exports the runtime API and the test kit to JavaScript importers", async () => {
    const probe = await sh(
      "node",
      [
        "--input-type=module",
        "-e",
        'const api = await import("comind-runtime"); const kit = await import("comind-runtime/testing"); console.log(typeof api.createActionRuntime, typeof api.createServer, typeof kit.createAppTester, typeof kit.MockAgent);',
      ],
      project,
    );
    expect(probe.stdout.trim(), probe.stderr).toBe("function function function function");
  });

  it("init --workspace creates an app repository that depends on the package, not on a clone", async () => {
    const created = await cli(["init", "my-apps", "--workspace", "--json"], project);
    expect(created.code, created.stderr).toBe(0);
    // Not a registry range (no release yet, npm install would fail E404): the tarball it came from.
    expect(JSON.parse(created.stdout).runtime).toBe(`file:../../${basename(tarball)}`);
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({
      "comind-runtime": `file:../../${basename(tarball)}`,
      "isolated-vm": OWN.optionalDependencies["isolated-vm"],
    });
    expect(pkg.devDependencies.node).toBe(OWN.devDependencies.node);
    expect(pkg.scripts).toMatchObject({ test: "vitest run", start: "comind-runtime serve" });
    const tsconfig = JSON.parse(readFileSync(join(repo, "apps", "app-hello", "tsconfig.json"), "utf8"));
    expect(tsconfig.extends).toBe("comind-runtime/app-tsconfig.json");
    const second = await cli(["init", "apps/app-invoice", "--alias", "INVOICE"]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(repo, "apps", "app-invoice", "tsconfig.json"), "utf8")).extends).toBe(
      "comind-runtime/app-tsconfig.json",
    );
    for (const file of filesUnder(repo)) expect(readFileSync(file, "utf8"), file).not.toContain(ROOT);
    expect(filesUnder(repo).map((f) => f.slice(repo.length + 1))).toEqual(
      expect.arrayContaining([
        ".gitignore",
        "vitest.config.ts",
        "test/app.test.ts",
        "apps/app-hello/actions/logic/index.ts",
      ]),
    );
  });

  it("checks and type-checks the generated app", async () => {
    const checked = await cli(["check", "apps/app-hello", "apps/app-invoice"]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toContain("✔ apps/app-hello: HELLO");
    expect(checked.stdout).toContain("✔ apps/app-invoice: INVOICE");
    const tsc = join(ROOT, "node_modules", ".bin", "tsc");
    for (const project of [
      "tsconfig.json",
      "apps/app-hello/tsconfig.json",
      "apps/app-invoice/tsconfig.json",
    ]) {
      const typed = await sh(tsc, ["-p", join(repo, project)], repo);
      expect(typed.stdout + typed.stderr, project).toBe("");
      expect(typed.code).toBe(0);
    }
    // ...and the types are real: a field the app does not have is an error.
    const logic = join(repo, "apps", "app-hello", "actions", "logic", "index.ts");
    const source = readFileSync(logic, "utf8");
    writeFileSync(logic, source.replace("entity.c_greeting =", "entity.c_greting ="));
    const broken = await sh(tsc, ["-p", join(repo, "tsconfig.json")], repo);
    writeFileSync(logic, source);
    expect(broken.stdout).toMatch(/Property 'c_greting' does not exist/);
    // ...chained builder calls too: typed to the end of the chain, not cut down to `any`.
    const chain = (method: string) =>
      source.replace("RestApi.addHeader(", `RestApi.createRequest("/greeting", "GET").${method}(`);
    writeFileSync(logic, chain("addHeader"));
    const chained = await sh(tsc, ["-p", join(repo, "tsconfig.json")], repo);
    writeFileSync(logic, chain("addHeaderr"));
    const misspelled = await sh(tsc, ["-p", join(repo, "tsconfig.json")], repo);
    writeFileSync(logic, source);
    expect(chained.stdout + chained.stderr).toBe("");
    expect(misspelled.stdout).toMatch(/Property 'addHeaderr' does not exist on type 'RestApiBuilder'/);
  });

  it("runs an action against a loopback mock server", async () => {
    writeFileSync(
      join(repo, ".env"),
      `COMIND_SECRET_HELLO_API_KEY=real-key\nCOMIND_SECRET_HELLO_BASE_URL=${greetingUrl}\n`,
    );
    const run = await cli([
      "run",
      "apps/app-hello",
      "fetch_greeting",
      "--env",
      ".env",
      "--allow-host",
      "127.0.0.1",
      "--json",
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, entity: { c_greeting: "hello from loopback" } });
  });

  it("serves with 2 worker processes, answering /api/common and running actions", async () => {
    const token = JSON.parse((await cli(["token", "create", "admin", "--admin", "--json"])).stdout).token;
    server = startCli(["serve", "--workers", "2", "--port", "0"], {
      cwd: repo,
      env: ENV,
      command: [join(project, "node_modules", ".bin", "comind-runtime")],
    });
    const [, url] = await server.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
    const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };
    const common = await fetch(`${url}/api/common`, { headers });
    expect(common.status).toBe(200);
    const touched = await fetch(`${url}/api/apps/DEMO/HELLO/actions/touch`, {
      method: "POST",
      headers,
      body: "{}",
    });
    expect(await touched.json()).toMatchObject({ ok: true, entity: { c_counter: 1 } });
    const stats = (await (await fetch(`${url}/api/admin/stats`, { headers })).json()) as {
      workers: unknown[];
    };
    expect(stats.workers).toHaveLength(2);
    expect(await server.stop()).toBe(0);
  });

  it("dev serves and rebuilds the app on save", async () => {
    const dev = startCli(["dev", "--port", "0"], {
      cwd: repo,
      env: ENV,
      command: [join(project, "node_modules", ".bin", "comind-runtime")],
    });
    try {
      await dev.waitFor(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
      await dev.waitFor(/watching apps for changes/);
      const logic = join(repo, "apps", "app-hello", "actions", "logic", "index.ts");
      writeFileSync(logic, readFileSync(logic, "utf8").replace("touched", "touched again"));
      await dev.waitFor(/"app":"HELLO".*"msg":"app rebuilt"/);
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  });

  it("runs the generated test with vitest", async () => {
    const tested = await sh("npm", ["test"], repo);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+2 passed/);
  });
});

/** The machine's own Node when it is older than 24 (the newcomer's case), else Node 20 from npm. */
async function olderNodeDir(): Promise<string> {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir || dir.startsWith(ROOT) || dir === NODE24_BIN) continue;
    const node = join(dir, "node");
    const version = await sh(node, ["-p", "process.versions.node"], tmp);
    if (version.code === 0) {
      if (Number(version.stdout.split(".")[0]) < 24) return dir;
      break; // the first node on PATH is what a user gets
    }
  }
  const prefix = join(tmp, "node20");
  const installed = await sh("npm", ["install", "--prefix", prefix, "--prefer-offline", "node@20"], tmp);
  expect(installed.code, installed.stderr).toBe(0);
  return join(prefix, "node_modules", ".bin");
}

// npx -p node@24 installs Node 24 once into the npm cache; remove that install if this test made it.
const npxInstallsOfNode24: string[] = [];

describe("from an empty folder to an own app with a passing test, on the system's older Node", () => {
  const fresh = join(tmp, "fresh");
  let env: Record<string, string>;
  let rerun: string;

  it("npx of the tarball installs, then stops with the version line and the command for Node 24", async () => {
    const olderBin = await olderNodeDir();
    env = {
      ...ENV,
      PATH: [olderBin, ...(process.env.PATH ?? "").split(":")]
        .filter((dir) => !dir.startsWith(join(ROOT, "node_modules")) && dir !== NODE24_BIN)
        .join(":"),
    };
    const older = (await sh("node", ["-p", "process.versions.node"], tmp, env)).stdout.trim();
    expect(Number(older.split(".")[0])).toBeLessThan(24);
    const { mkdirSync, copyFileSync } = await import("node:fs");
    mkdirSync(fresh);
    copyFileSync(tarball, join(fresh, basename(tarball)));
    const tgz = `./${basename(tarball)}`;
    const stopped = await sh(
      "npx",
      ["--yes", "-p", tgz, "comind-runtime", "init", ".", "--workspace"],
      fresh,
      env,
    );
    const last = stopped.stderr.trim().split("\n").at(-1) ?? "";
    expect(stopped.code, stopped.stderr).toBe(2);
    expect(last).toBe(
      `comind-runtime needs Node 24 or newer, but this is Node ${older}; run it with Node 24: npx --yes -p node@24 npx --yes -p ${tgz} comind-runtime init . --workspace`,
    );
    rerun = last.slice(last.indexOf("npx "));
  }, 900_000);

  it("the command it names makes the app repository, depending on that tarball", async () => {
    const before = new Set(npxInstalls(env));
    const created = await sh("bash", ["-c", rerun], fresh, env);
    npxInstallsOfNode24.push(
      ...npxInstalls(env).filter(
        (dir) =>
          !before.has(dir) &&
          existsSync(join(dir, "package.json")) &&
          readFileSync(join(dir, "package.json"), "utf8").includes('"node@24"'),
      ),
    );
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).toContain(`(comind-runtime: "file:${basename(tarball)}")`);
    expect(created.stdout).toContain("Next: npm install && npm test");
    const pkg = JSON.parse(readFileSync(join(fresh, "package.json"), "utf8"));
    expect(pkg.dependencies["comind-runtime"]).toBe(`file:${basename(tarball)}`);
  }, 900_000);

  it("npm install and npm test of that repository pass", async () => {
    const installed = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], fresh, env);
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    // npm on the older Node installed the sandbox too: a required dependency of the repository.
    expect(readdirSync(join(fresh, "node_modules"))).toContain("isolated-vm");
    const tested = await sh("npm", ["test"], fresh, env);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+2 passed/);
  }, 900_000);
});

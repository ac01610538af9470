import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NEEDED_MAJOR, nodeVersionProblem, rerunCommand } from "../../bin/node-version.js";
import { ROOT } from "../helpers/cli.ts";

const NODE24 = join(ROOT, "node_modules", ".bin", "node");
const OWN = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "comind-guard-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The package as npm installs it into a project (bin/ and package.json), without isolated-vm. */
function installedLayout(): string {
  const root = join(tmp, "project", "node_modules", "comind-runtime");
  if (!existsSync(root)) {
    cpSync(join(ROOT, "bin"), join(root, "bin"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(root, "package.json"));
  }
  return root;
}

/** The real bin, on Node 24 pretending to be `version` (process.versions.node is replaced first). */
function binOn(version: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const pretend = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, ["--import", pretend, join(ROOT, "bin", "comind-runtime.js"), "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Node version guard", () => {
  it("names the version found and the one needed", () => {
    expect(NEEDED_MAJOR).toBe(24);
    const message = nodeVersionProblem("v20.11.1");
    expect(message).toContain("Node 24 or newer");
    expect(message).toContain("Node 20.11.1");
    expect(message).not.toContain("\n");
    expect(nodeVersionProblem("23.9.0")).toContain("23.9.0");
    expect(nodeVersionProblem("20.1.0", { rerun: "npx -p node@24 npx comind-runtime --help" })).toBe(
      "comind-runtime needs Node 24 or newer, but this is Node 20.1.0; run it with Node 24: npx -p node@24 npx comind-runtime --help",
    );
    expect(nodeVersionProblem("24.0.0")).toBeNull();
    expect(nodeVersionProblem("25.2.1")).toBeNull();
  });

  it("stops the CLI on an older Node with one line on stderr and exit code 2", async () => {
    const result = await binOn("20.19.0");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/needs Node 24 or newer, but this is Node 20\.19\.0/);
  });

  it("names the command that runs the same thing on Node 24, for the way it was started", () => {
    const args = ["init", "my apps", "--workspace"];
    // npx of a tarball (npm exec sets these): npm itself must run on Node 24 too, so npx in npx.
    const npx = {
      npm_command: "exec",
      npm_config_package: "./comind-runtime-0.1.0.tgz",
      npm_config_yes: "true",
    };
    const cache = "/home/u/.npm/_npx/0123abcd/node_modules/comind-runtime/bin";
    expect(rerunCommand({ args, env: npx, binDir: cache })).toBe(
      "npx --yes -p node@24 npx --yes -p ./comind-runtime-0.1.0.tgz comind-runtime init 'my apps' --workspace",
    );
    // More packages (npm joins them with blank lines); a node@ the user gave is replaced.
    expect(
      rerunCommand({
        args: ["--help"],
        env: { npm_command: "exec", npm_config_package: "node@20\n\ncomind-runtime" },
        binDir: cache,
      }),
    ).toBe("npx -p node@24 npx -p comind-runtime comind-runtime --help");
    // `npx comind-runtime` from the registry: no -p at all.
    expect(rerunCommand({ args: [], env: { npm_command: "exec" }, binDir: cache })).toBe(
      "npx -p node@24 npx comind-runtime",
    );
    // Installed in a project: pin Node 24 there and make the sandbox a required dependency.
    const project = installedLayout();
    expect(rerunCommand({ args: ["check", "apps/*"], env: {}, binDir: join(project, "bin") })).toBe(
      `npm install node@24 'isolated-vm@${OWN.optionalDependencies["isolated-vm"]}' && npx comind-runtime check 'apps/*'`,
    );
    // A clone (the sources are beside bin/): its own npm install pins Node 24.
    expect(rerunCommand({ args: ["--help"], env: {}, binDir: join(ROOT, "bin") })).toBe(
      "npm install in the clone, then npx comind-runtime --help",
    );
    // A global install: nothing to run but Node 24 itself.
    expect(rerunCommand({ args: [], env: {}, binDir: "/usr/lib/comind/bin" })).toBeNull();
    expect(nodeVersionProblem("20.1.0", { rerun: null })).toMatch(
      /install Node 24 or newer .* then install comind-runtime again/,
    );
  });

  it("lets Node 24 through", async () => {
    const result = await binOn("24.1.0");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: comind-runtime");
  });

  it("says that isolated-vm is missing (npm left it out) instead of a module-not-found stack", () => {
    const bin = join(installedLayout(), "bin", "comind-runtime.js");
    const result = spawnSync(NODE24, ["--no-node-snapshot", bin, "--help"], { encoding: "utf8" });
    expect(result.stderr).toMatch(/^comind-runtime cannot find its sandbox, the package isolated-vm: /);
    expect(result.stderr).toContain(`isolated-vm@${OWN.optionalDependencies["isolated-vm"]}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(2);
  });
});

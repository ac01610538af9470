// `init --workspace` makes the app repository depend on the comind-runtime it ran from (issue 24:
// a "^0.1.0" range is not on the registry, npm install failed E404). The installs are laid out
// here as npm leaves them (the hidden lockfile node_modules/.package-lock.json); the real npx and
// npm installs of a tarball are in test/package/install.test.ts.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { dependencySpec, runtimeSource, tolerated } from "../../runtime/cli/runtime-source.ts";
import { ROOT, runCli } from "../helpers/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "comind-init-source-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OWN = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** An install root with comind-runtime in node_modules, recorded by npm as `resolved`. */
function installed(name: string, resolved?: string): string {
  const root = join(tmp, name);
  const pkg = join(root, "node_modules", "comind-runtime");
  mkdirSync(pkg, { recursive: true });
  if (resolved !== undefined)
    writeFileSync(
      join(root, "node_modules", ".package-lock.json"),
      JSON.stringify({ packages: { "node_modules/comind-runtime": { version: "0.1.0", resolved } } }),
    );
  return pkg;
}

describe("where init finds comind-runtime", () => {
  it("a tarball: npx or npm install of a .tgz, by npm's record relative to the install root", () => {
    writeFileSync(join(tmp, "comind-runtime-0.1.0.tgz"), "");
    const pkg = installed("npx-cache", "file:../comind-runtime-0.1.0.tgz");
    const source = runtimeSource(pkg, true);
    expect(source).toEqual({ kind: "tarball", path: join(tmp, "comind-runtime-0.1.0.tgz") });
    expect(dependencySpec(source, join(tmp, "apps", "my-apps"), "0.1.0")).toBe(
      "file:../../comind-runtime-0.1.0.tgz",
    );
    // `init .` in the folder that holds the tarball: the tarball may stay there.
    expect(dependencySpec(source, tmp, "0.1.0")).toBe("file:comind-runtime-0.1.0.tgz");
    expect([...tolerated(source, tmp)].sort()).toEqual([".git", "comind-runtime-0.1.0.tgz"]);
  });

  it("a git URL as npm recorded it", () => {
    const url = "git+ssh://git@github.com/acme/comind-runtime.git#0123456789abcdef0123456789abcdef01234567";
    const source = runtimeSource(installed("git", url), true);
    expect(dependencySpec(source, tmp, "0.1.0")).toBe(url);
  });

  it("the registry: a registry URL, a tarball that is gone, or no record (a global install)", () => {
    for (const pkg of [
      installed("registry", "https://registry.npmjs.org/comind-runtime/-/comind-runtime-0.1.0.tgz"),
      installed("moved", "file:../gone/comind-runtime-0.1.0.tgz"),
      installed("global"),
    ]) {
      const source = runtimeSource(pkg, true);
      expect(source).toEqual({ kind: "registry" });
      expect(dependencySpec(source, tmp, "0.1.0")).toBe("^0.1.0");
    }
  });

  it("a clone: the sources run, and the repository links to the clone", () => {
    const source = runtimeSource(ROOT, false);
    expect(source).toEqual({ kind: "clone", path: ROOT });
    expect(dependencySpec(source, join(ROOT, "..", "my-apps"), OWN.version)).toBe(
      `file:../${relative(join(ROOT, ".."), ROOT)}`,
    );
  });
});

describe("init --workspace from this clone", () => {
  it("depends on the clone by a relative file: path, and says to build it first", async () => {
    const target = join(tmp, "from-clone");
    const created = await runCli(["init", target, "--workspace", "--json"], { cwd: tmp });
    expect(created.code, created.stderr).toBe(0);
    const result = JSON.parse(created.stdout);
    expect(result.runtime).toBe(`file:${relative(target, ROOT)}`);
    expect(result.next).toBe(
      `npm run build --prefix ${relative(tmp, ROOT)} && cd ${target} && npm install && npm test`,
    );
    const pkg = JSON.parse(readFileSync(join(target, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({
      "comind-runtime": `file:${relative(target, ROOT)}`,
      "isolated-vm": OWN.optionalDependencies["isolated-vm"],
    });
    expect(pkg.devDependencies).toMatchObject({ node: OWN.devDependencies.node });
    expect(readFileSync(join(target, ".npmrc"), "utf8")).toMatch(/^loglevel=error$/m);
    const human = await runCli(["init", join(tmp, "from-clone-2"), "--workspace"], { cwd: tmp });
    expect(human.stdout).toContain("It links to this clone and imports its build (dist/)");
    expect(human.stdout).toMatch(/^Next: npm run build --prefix \S+ && cd \S+ && npm install && npm test$/m);
  });

  it("accepts a folder that holds only .git (git init first), and nothing else", async () => {
    const withGit = join(tmp, "with-git");
    mkdirSync(join(withGit, ".git"), { recursive: true });
    expect((await runCli(["init", withGit, "--workspace", "--json"], { cwd: tmp })).code).toBe(0);
    const withFile = join(tmp, "with-file");
    mkdirSync(withFile);
    writeFileSync(join(withFile, "notes.txt"), "mine");
    const refused = await runCli(["init", withFile, "--workspace"], { cwd: tmp });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/exists and is not empty/);
  });
});

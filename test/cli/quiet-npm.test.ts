// npm checks `engines` against the Node that runs npm itself. On a machine whose system Node is
// older than the pinned Node 24, every npm call in the clone printed EBADENGINE blocks; the
// clone's .npmrc keeps them out. npm is run here on Node 24 pretending to be Node 20.18.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

const NODE24 = join(ROOT, "node_modules", ".bin", "node");
const npmOnPath = (process.env.PATH ?? "")
  .split(":")
  .map((dir) => join(dir, "npm"))
  .find((path) => existsSync(path) && !path.startsWith(join(ROOT, "node_modules")));
const NPM_CLI = realpathSync(npmOnPath!);
const PRETEND_NODE_20 = 'data:text/javascript,Object.defineProperty(process,"version",{value:"v20.18.0"})';

function npmOnOldNode(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    execFile(
      NODE24,
      ["--import", PRETEND_NODE_20, NPM_CLI, ...args],
      { cwd: ROOT, env },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    );
  });
}

describe("npm in the clone on an older system Node", () => {
  const install = ["install", "--dry-run", "--offline", "--no-audit", "--no-fund"];

  it("prints no EBADENGINE blocks", async () => {
    expect(await npmOnOldNode(install)).not.toContain("EBADENGINE");
  });

  it("would print them without the clone's .npmrc setting (the check above can fail)", async () => {
    expect(await npmOnOldNode([...install, "--loglevel=warn"])).toContain("EBADENGINE");
  });
});

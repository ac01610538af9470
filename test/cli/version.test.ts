import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../runtime/version.ts";
import { ROOT, runCli } from "../helpers/cli.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

describe("version", () => {
  it("is package.json's version, in the runtime and in `comind-runtime --version`", async () => {
    expect(VERSION).toBe(pkg.version);
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });
});

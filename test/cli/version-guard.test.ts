import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { NEEDED_MAJOR, nodeVersionProblem } from "../../bin/node-version.js";
import { ROOT } from "../helpers/cli.ts";

const NODE24 = join(ROOT, "node_modules", ".bin", "node");

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

  it("lets Node 24 through", async () => {
    const result = await binOn("24.1.0");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: comind-runtime");
  });
});

/**
 * The README's "Run an action from the command line", pasted as it is: its shell blocks are run
 * as one bash script (set -e) in a temp copy of the clone, on the user's PATH (the system Node
 * first; `npx` finds the clone's pinned Node 24). Only the port is swapped for a free one, and one
 * probe is put right after the line that starts the mock CRM: it must be listening by then (a
 * backgrounded `mock crm &` lost that race to the first `run`: ECONNREFUSED). At the end the block
 * must have stopped the mock itself; processes the script left behind are found by their unique
 * port and stopped by PID.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";
import { removeNpxInstallsUnder } from "../helpers/npx-cache.ts";

const tmp = mkdtempSync(join(tmpdir(), "comind-readme-"));
const clone = join(tmp, "clone");
// The user's shell: no npm_* of an outer `npm test`, no Node 24 put first on PATH by it.
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  PATH: (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => !dir.startsWith(join(ROOT, "node_modules")))
    .join(":"),
  npm_config_update_notifier: "false",
};
let port = 0;

/** Processes whose command line starts the mock on our port: only this test's script did that. */
function ourMocks(): number[] {
  if (!port) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        return args.includes(`mock crm --port ${port} `) || args.endsWith(`mock crm --port ${port}`);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

afterAll(() => {
  for (const pid of ourMocks()) process.kill(pid, "SIGTERM");
  removeNpxInstallsUnder(tmp, ENV);
  rmSync(tmp, { recursive: true, force: true });
});

/** The fenced sh blocks of one README section, in order. */
function shellBlocks(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(0);
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]).join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function listening(on: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(on, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Output goes to a file, not a pipe: a process the block leaves running must not keep us waiting. */
function bash(script: string, cwd: string): Promise<{ code: number; output: string }> {
  const log = join(tmp, "walkthrough.log");
  return new Promise((resolve) => {
    execFile("bash", ["-c", `exec >${log} 2>&1\n${script}`], { cwd, env: ENV }, (error) =>
      resolve({
        code: error ? Number((error as { code?: unknown }).code) || 1 : 0,
        output: readFileSync(log, "utf8"),
      }),
    );
  });
}

describe("the README's CRM walkthrough", () => {
  it("works pasted as one block: the mock listens before the first run, and is stopped at the end", async () => {
    const block = shellBlocks(
      readFileSync(join(ROOT, "README.md"), "utf8"),
      "Run an action from the command line",
    );
    const lines = block.split("\n");
    const mockLine = lines.findIndex((line) => line.includes("comind-runtime mock crm"));
    expect(mockLine, "the block starts the mock CRM").toBeGreaterThanOrEqual(0);
    // A copy of the clone as a user has it after `npm install` (sources and node_modules shared).
    mkdirSync(clone);
    for (const entry of ["bin", "node_modules"]) symlinkSync(join(ROOT, entry), join(clone, entry));
    cpSync(join(ROOT, "package.json"), join(clone, "package.json"));
    cpSync(join(ROOT, "apps", "app-crm-contact"), join(clone, "apps", "app-crm-contact"), {
      recursive: true,
    });
    port = await freePort();
    const probe = `(: </dev/tcp/127.0.0.1/${port}) 2>/dev/null || { echo "PROBE: nothing listens on ${port} after the mock's line"; exit 97; }`;
    const script = ["set -euo pipefail", ...lines.slice(0, mockLine + 1), probe, ...lines.slice(mockLine + 1)]
      .join("\n")
      .replace(/\b4000\b/g, String(port));
    const result = await bash(script, clone);
    expect(result.output).not.toContain("PROBE:");
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Mock CRM on http://127.0.0.1:${port}`);
    expect(result.output).toContain("[log] Fetched 3 contacts from CRM");
    expect(result.output).toContain("[log] Import complete: 3 created, 0 updated");
    expect(result.output).toMatch(/✔ sync_contacts succeeded on record \S+ \(created\)/);
    expect(result.output).toContain("Import complete: 0 created, 3 updated");
    // The block's own last line stopped the mock: it closes its server on SIGTERM, then exits.
    await expect.poll(() => listening(port), { timeout: 30_000, interval: 200 }).toBe(false);
    await expect.poll(ourMocks, { timeout: 30_000, interval: 200 }).toEqual([]);
  }, 300_000);

  it("is the same block in docs/app-developers.md (which this test does not run)", () => {
    const section = "Run an action from the command line";
    expect(shellBlocks(readFileSync(join(ROOT, "docs", "app-developers.md"), "utf8"), section)).toBe(
      shellBlocks(readFileSync(join(ROOT, "README.md"), "utf8"), section),
    );
  });
});

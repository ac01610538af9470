import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { createProgress } from "../../runtime/cli/progress.ts";
import { ROOT, runCli } from "../helpers/cli.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

afterAll(removeTempApps);

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe("progress line", () => {
  it("rewrites one line on a terminal and clears it when done", () => {
    const tty = stream(true);
    const progress = createProgress(tty);
    progress.update("imported 1,000 rows");
    progress.update("imported 2,000 rows"); // within the redraw interval: skipped
    progress.done();
    expect(tty.written).toEqual(["\rimported 1,000 rows\x1b[K", "\r\x1b[K"]);
  });

  it("is silent when stdout is not a terminal, and with --json", () => {
    const pipe = stream(false);
    const json = stream(true);
    for (const progress of [createProgress(pipe), createProgress(json, { json: true })]) {
      progress.update("imported 1,000 rows");
      progress.done();
    }
    expect(pipe.written).toEqual([]);
    expect(json.written).toEqual([]);
  });

  const importingApp = () =>
    writeTempApp({
      "actions/logic/index.ts": `export default { go() {
  for (let page = 0; page < 5; page++) {
    const data = Array.from({ length: 1000 }, (_, i) => ({ c_text: "row-" + (page * 1000 + i) }));
    ComindServer.importData({ data, keyFields: ["c_text"] });
  }
  console.log("done");
} };\n`,
    });

  it("run shows the import count on a terminal", async () => {
    const app = importingApp();
    const command = [
      join(ROOT, "node_modules", ".bin", "node"),
      "--no-node-snapshot",
      join(ROOT, "bin", "comind-runtime.js"),
      "run",
      app,
      "go",
    ];
    // util-linux `script` gives the CLI a pseudo-terminal as stdout.
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        "script",
        ["-qec", command.map((part) => `'${part}'`).join(" "), "/dev/null"],
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(output).toMatch(/\rimportData: \d{1,3}(,\d{3})* rows imported…\x1b\[K/);
    expect(output).toContain("[log] done");
  });

  it("run prints no progress into a pipe, even while importing thousands of rows", async () => {
    const app = importingApp();
    const result = await runCli(["run", app, "go"]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\r");
    expect(result.stdout).not.toContain("rows imported");
    expect(result.stdout).toContain("[log] done");
  });
});

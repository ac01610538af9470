// `serve` / `dev` log readable lines on a terminal and JSON lines when piped; --log-format forces
// either. A build error is a block with file:line:column and the source line, in both formats;
// the startup lines name the API, the console and the token command.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chooseLogFormat } from "../../runtime/cli/log-format.ts";
import { prettyEntry, prettyLine } from "../../runtime/server/pretty-log.ts";
import { runCli } from "../helpers/cli.ts";
import { type CliProcess, startCli } from "../helpers/cli-process.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-log-format-"));
const running: CliProcess[] = [];

beforeAll(() => {
  mkdirSync(join(dir, "apps"));
  cpSync(writeTempApp({}, { alias: "GOOD" }), join(dir, "apps", "app-good"), { recursive: true });
  cpSync(
    writeTempApp(
      { "actions/logic/index.ts": "export default {\n  go() { const = ; },\n};\n" },
      { alias: "BROKEN" },
    ),
    join(dir, "apps", "app-broken"),
    { recursive: true },
  );
  writeFileSync(join(dir, ".env"), "COMIND_SECRET_GOOD_KEY=never-shown\n");
});
afterAll(async () => {
  await Promise.all(running.map((child) => child.stop()));
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

/** `dev` in the app repository until it has said how to create a token; its output so far. */
async function devOutput(args: string[], data: string): Promise<string> {
  const dev = startCli(["dev", "--apps", "apps", "--data", data, "--port", "0", ...args], {
    cwd: dir,
    env: { LOG_LEVEL: "info" },
  });
  running.push(dev);
  await dev.waitFor(/create an API token with/);
  await dev.waitFor(/watching apps for changes/);
  expect(await dev.stop()).toBe(0);
  return dev.output();
}

describe("chooseLogFormat", () => {
  it("is pretty on a terminal, JSON elsewhere, and the flag wins", () => {
    expect(chooseLogFormat(true, undefined)).toBe("pretty");
    expect(chooseLogFormat(false, undefined)).toBe("json");
    expect(chooseLogFormat(undefined, undefined)).toBe("json");
    expect(chooseLogFormat(true, "json")).toBe("json");
    expect(chooseLogFormat(false, "pretty")).toBe("pretty");
  });
});

describe("prettyEntry", () => {
  const time = new Date(2026, 0, 2, 9, 5, 7, 42).getTime();

  it("is time, level, message and the fields", () => {
    expect(prettyEntry({ level: 30, time, pid: 1, hostname: "h", msg: "app rebuilt", app: "CONTACT" })).toBe(
      "09:05:07.042 INFO  app rebuilt  app=CONTACT",
    );
    expect(prettyEntry({ level: 40, time, msg: "slow", apps: ["A", "B"], note: "two words" })).toBe(
      '09:05:07.042 WARN  slow  apps=A,B note="two words"',
    );
  });

  it("shows a request as method, url, status and time", () => {
    expect(
      prettyEntry({
        level: 30,
        time,
        reqId: "r1",
        msg: "request",
        method: "GET",
        url: "/api/x",
        statusCode: 200,
        ms: 3.1,
      }),
    ).toBe("09:05:07.042 INFO  request GET /api/x → 200 (3.1 ms)");
  });

  it("puts an error's code and message, or its code frame, in a block under the line", () => {
    expect(
      prettyEntry({ level: 50, time, msg: "failed", error: { code: "timeout", message: "took too long" } }),
    ).toBe("09:05:07.042 ERROR failed\n    timeout: took too long");
    const frame = "a.ts:1:2: bad\n  1 │ x y\n    │   ^";
    expect(
      prettyEntry({
        level: 50,
        time,
        msg: "not built",
        error: { code: "build_error", message: "a.ts:1:2: bad" },
        frame,
      }),
    ).toBe(
      `09:05:07.042 ERROR not built  error=build_error\n    a.ts:1:2: bad\n      1 │ x y\n        │   ^`,
    );
  });

  it("passes a line that is not JSON through", () => {
    expect(prettyLine("plain text\n")).toBe("plain text");
  });
});

describe("dev's output", () => {
  it("piped, without a flag: JSON lines only, the build error with its frame as a field", async () => {
    const output = await devOutput([], join(dir, "data-json"));
    const lines = output.split("\n").filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const broken = entries.find((entry) => String(entry.msg).startsWith("app not installed"));
    expect(broken?.error).toMatchObject({ code: "build_error" });
    expect(broken?.frame).toContain("actions/logic/index.ts:2:16: Expected identifier");
    expect(entries.map((entry) => entry.msg)).toContain("loaded 1 variable from .env");
    expect(output).not.toContain("never-shown");
  });

  it("with --log-format pretty: readable lines, the build error as a code frame, the URLs and the token command", async () => {
    const output = await devOutput(["--log-format", "pretty"], join(dir, "data-pretty"));
    expect(output.split("\n").some((line) => line.startsWith("{"))).toBe(false);
    expect(output).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}loaded 1 variable from \.env$/m);
    expect(output).toMatch(/ ERROR app not installed: .* app=apps\/app-broken error=build_error\n/);
    expect(output).toContain('    actions/logic/index.ts:2:16: Expected identifier but found "="\n');
    expect(output).toContain("      2 │   go() { const = ; },\n");
    expect(output).toMatch(/\n {8}│ {16}\^\n/);
    expect(output).toMatch(
      / INFO {2}serving the API at http:\/\/127\.0\.0\.1:\d+\/api, the console at http:\/\/127\.0\.0\.1:\d+\/console /,
    );
    expect(output).toMatch(
      / INFO {2}create an API token with `npx comind-runtime token create <user> --admin --data \S+data-pretty`/,
    );
  });

  it("refuses an unknown --log-format as bad usage", async () => {
    const result = await runCli(["dev", "--log-format", "xml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'comind-runtime: --log-format (COMIND_LOG_FORMAT) must be json or pretty, got "xml".',
    );
  });
});

// The build agrees with the sandbox: a global the action realm does not have (fetch, setTimeout,
// Buffer, process.argv, ...) fails loadApp (and so check/run/serve) with its file:line, derived
// from the real realm rather than a list; and a thrown string, which has no stack, is reported
// with the TypeScript line of its throw statement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { loadApp } from "../../runtime/actions/index.ts";
import { refusedGlobalNames } from "../../runtime/sandbox/index.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let t: TestRuntime;
beforeAll(async () => {
  t = await startRuntime();
});
afterAll(async () => {
  await t.close();
  removeTempApps();
});

async function loadError(files: Record<string, string>) {
  try {
    await loadApp(writeTempApp(files), 64);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("loading the app should have failed");
}

describe("globals the sandbox does not have", () => {
  it("are derived from the action realm: Node's globals it lacks, and its not-available stubs", async () => {
    const names = await refusedGlobalNames();
    for (const name of ["fetch", "XMLHttpRequest", "setTimeout", "Buffer", "process", "URL", "WebAssembly"])
      expect(names, name).toContain(name);
    // What the realm has is never refused: built-ins, the platform globals, its own crypto.
    for (const name of ["JSON", "Math", "Intl", "console", "crypto", "RestApi", "entity", "require"])
      expect(names, name).not.toContain(name);
  });

  it("fail the build with file:line and what to use instead", async () => {
    const error = await loadError({
      "actions/logic/index.ts": [
        'import { entity } from "#typings";',
        'import { later } from "./later";',
        "export default {",
        "  go() {",
        '    const answer = fetch("https://api.example.com/x");',
        "    later();",
        "    entity.c_text = String(answer) + process.argv.length;",
        "  },",
        "};",
        "",
      ].join("\n"),
      "actions/logic/later.ts": "export function later() {\n  setTimeout(() => 1, 5);\n}\n",
    });
    expect(error.code).toBe("build_error");
    expect(error.message.split("\n")).toEqual([
      "actions/logic/later.ts:2:3: setTimeout does not exist in action logic: logic is synchronous, wait with ComindServer.sleep(ms).",
      "actions/logic/index.ts:5:20: fetch() is not available in action logic: use RestApi.",
      "actions/logic/index.ts:7:38: process does not exist in action logic: only process.env.COMIND_SECRET_* does (the names settings/secrets.ts declares).",
    ]);
  });

  it("are not refused as a typeof check, a local name, a property, process.env, or in an npm package", async () => {
    const dir = writeTempApp(
      {
        // A package with a branch for another platform: it fails only if that branch runs.
        "node_modules/legacy-lib/package.json": JSON.stringify({ name: "legacy-lib", main: "index.js" }),
        "node_modules/legacy-lib/index.js":
          "exports.later = function (f) { return setTimeout(f, 1); };\nexports.twice = function (n) { return n * 2; };\n",
        "actions/logic/index.ts": [
          'import { entity } from "#typings";',
          'import { twice } from "legacy-lib";',
          'const fetch = (url: string) => "local " + url;',
          "export default {",
          "  go() {",
          '    const timers = typeof setTimeout === "function" ? "timers" : "no timers";',
          "    const shadow = ((URL: string) => URL)('u');",
          "    const o = { Buffer: 1, setTimeout: 2 };",
          '    entity.c_text = [fetch("x"), timers, shadow, o.Buffer + o.setTimeout, twice(2), process.env.COMIND_SECRET_NONE].join("|");',
          "  },",
          "};",
          "",
        ].join("\n"),
      },
      { dependencies: { "legacy-lib": "*" } },
    );
    await t.runtime.loadApp(dir);
    const result = await t.runtime.run({ caller: asDeveloper(), app: "TEMP", action: "go" });
    expect(result).toMatchObject({ ok: true, entity: { c_text: "local x|no timers|u|3|4|" } });
  });
});

describe("a thrown string or object", () => {
  it("is reported with the TypeScript line of its throw, and app code still catches the same value", async () => {
    const dir = writeTempApp(
      {
        "actions/index.ts":
          'export default [{ uid: "go", caption: "Go" }, { uid: "caught", caption: "Caught" }, { uid: "shaped", caption: "Shaped" }] as const;\n',
        "actions/logic/index.ts": [
          'import { entity } from "#typings";',
          "function check(n: number) {",
          '  if (n > 1) throw "Too many: throw it back";',
          "}",
          "export default {",
          "  go() {",
          '    entity.c_text = "don\'t throw this";',
          "    check(2);",
          "  },",
          "  caught() {",
          "    try {",
          "      check(5);",
          "    } catch (e) {",
          '      entity.c_text = "caught " + e;',
          "    }",
          "  },",
          "  shaped() {",
          '    throw { code: "CRM_DOWN", message: "The CRM is down" };',
          "  },",
          "};",
          "",
        ].join("\n"),
      },
      { alias: "THROWN" },
    );
    await t.runtime.loadApp(dir);
    const run = (action: string) => t.runtime.run({ caller: asDeveloper(), app: "THROWN", action });

    const thrown = await run("go");
    expect(thrown.ok).toBe(false);
    if (thrown.ok) return;
    expect(thrown.error.message).toBe("Too many: throw it back");
    expect(thrown.error.stack!.split("\n")).toEqual([
      "Error: Too many: throw it back",
      "    at check (actions/logic/index.ts:3:20)",
      "    at go (actions/logic/index.ts:8:5)",
    ]);

    expect(await run("caught")).toMatchObject({
      ok: true,
      entity: { c_text: "caught Too many: throw it back" },
    });

    const shaped = await run("shaped");
    expect(shaped.ok).toBe(false);
    if (shaped.ok) return;
    expect(shaped.error.message).toBe("The CRM is down (code CRM_DOWN)");
    expect(shaped.error.stack).toMatch(/\n {4}at shaped \(actions\/logic\/index\.ts:18:\d+\)$/);
  });
});

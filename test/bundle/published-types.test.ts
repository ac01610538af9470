// The .d.ts an app repository compiles against are tsc's declaration output of globals/ (the
// build's tsconfig.globals.json), not the sources: a type that the sources infer can reach the
// published declarations cut down to `any` (a builder whose methods return the builder itself).
// This emits them as the build does and type-checks app code against the emitted files only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const tmp = mkdtempSync(join(tmpdir(), "comind-published-types-"));
const dist = join(tmp, "dist");
const app = join(tmp, "app");

function tsc(args: string[]): Promise<string> {
  return new Promise((resolve) =>
    execFile(TSC, args, { encoding: "utf8" }, (error, stdout, stderr) =>
      resolve(error ? `${stdout}${stderr}` || String(error) : ""),
    ),
  );
}

beforeAll(async () => {
  expect(await tsc(["-p", join(ROOT, "scripts", "tsconfig.globals.json"), "--outDir", dist])).toBe("");
  // What scripts/build.ts copies beside the emitted code (files tsc does not emit).
  for (const file of ["app-tsconfig.json", "ambient.d.ts"])
    copyFileSync(join(ROOT, "globals", file), join(dist, "globals", file));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(app);
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({ extends: join(dist, "globals", "app-tsconfig.json"), include: ["*.ts"] }),
  );
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Type errors of one app file compiled against the emitted declarations ("" when none). */
async function typeErrors(source: string): Promise<string> {
  writeFileSync(join(app, "logic.ts"), source);
  return tsc(["-p", join(app, "tsconfig.json")]);
}

describe("the published declarations of globals/", () => {
  it("hold no type that tsc cut down to any", () => {
    const declarations = readdirSync(join(dist, "globals"), { recursive: true, encoding: "utf8" }).filter(
      (file) => file.endsWith(".d.ts"),
    );
    expect(declarations.length).toBeGreaterThan(10);
    for (const file of declarations)
      expect(readFileSync(join(dist, "globals", file), "utf8"), file).not.toMatch(/\/\*elided\*\//);
  });

  it("type chained RestApi calls to the end of the chain", { timeout: 60_000 }, async () => {
    const chained = [
      'import { RestApi } from "@comind/api/server";',
      "export function go(): number {",
      '  const response = RestApi.createClient("https://api.example.com").createRequest("/a", "GET")',
      '    .addHeader("Accept", "application/json").addQueryParameter("page", 2).setRequestTimeout(5)',
      "    .executeRequest();",
      "  return response.statusCode;",
      "}",
      "",
    ].join("\n");
    expect(await typeErrors(chained)).toBe("");
    expect(await typeErrors(chained.replace(".addHeader(", ".addHeaderr("))).toMatch(
      /logic\.ts\(4,\d+\): error TS2551: Property 'addHeaderr' does not exist on type 'RestApiBuilder'/,
    );
    // The ambient global (no import) is the same builder.
    expect(
      await typeErrors('RestApi.createClient("https://x").createRequest("/a").addHeadr("a", "b");\n'),
    ).toMatch(/Property 'addHeadr' does not exist/);
    const wrongResult = chained.replace("return response.statusCode;", "return response.content;");
    expect(await typeErrors(wrongResult)).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});

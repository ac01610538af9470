/**
 * docs/api/ is generated from the types apps compile against (globals/) by `npm run docs:api`.
 * This regenerates it into a temp folder with the same script and fails when the committed copy
 * differs, naming the pages: a changed signature or doc comment without a regenerated reference.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const COMMITTED = join(ROOT, "docs", "api");
const fresh = mkdtempSync(join(tmpdir(), "comind-api-docs-"));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

function pages(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(
    files.map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return [relative(dir, path), readFileSync(path, "utf8")];
    }),
  );
}

describe("docs/api (npm run docs:api)", () => {
  it("is what the generator makes from globals/ today", { timeout: 60_000 }, () => {
    execFileSync(process.execPath, ["--no-node-snapshot", join(ROOT, "scripts", "api-docs.ts"), fresh], {
      cwd: ROOT,
      stdio: "pipe",
    });
    const expected = pages(fresh);
    const committed = pages(COMMITTED);
    expect(expected.size).toBeGreaterThan(10);
    expect(expected.get("globals/RestApi.md")).toContain("createClient(url: string): typeof RestApi");
    const stale = [...new Set([...expected.keys(), ...committed.keys()])]
      .filter((page) => expected.get(page) !== committed.get(page))
      .sort();
    expect(stale, "run `npm run docs:api` and commit docs/api/").toEqual([]);
  });
});

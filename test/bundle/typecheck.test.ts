import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

// App developers compile against globals/*.ts: every example app must type-check with `tsc --noEmit`.
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const appDirs = [
  ...readdirSync(join(ROOT, "apps")).map((name) => join(ROOT, "apps", name)),
  join(ROOT, "test", "fixtures", "apps", "app-probe"),
  join(ROOT, "test", "fixtures", "apps", "app-forms"),
].filter((dir) => existsSync(join(dir, "tsconfig.json")));

function typeErrors(dir: string): string {
  try {
    execFileSync(TSC, ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe("app type-checking", () => {
  it.each(appDirs)("%s type-checks", (dir) => {
    expect(typeErrors(dir)).toBe("");
  });

  it("reports a type error in app code", () => {
    expect(typeErrors(join(ROOT, "test", "fixtures", "apps", "app-type-error"))).toMatch(
      /Property 'c_missing' does not exist/,
    );
  });

  it("rejects misuse of the documented ComindServer and currentUser signatures", () => {
    const errors = typeErrors(join(ROOT, "test", "fixtures", "apps", "app-misuse"));
    expect(errors).toMatch(/index.ts\(8,\d+\): error TS2345: Argument of type 'number' is not assignable/);
    expect(errors).toMatch(/index.ts\(10,\d+\): error TS2345: Argument of type 'number' is not assignable/);
    expect(errors).toMatch(/index.ts\(11,\d+\): error TS2345: Argument of type 'string' is not assignable/);
  });
});

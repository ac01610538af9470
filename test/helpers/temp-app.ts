/** Writes a throwaway app in the vendor layout, for build and error-path tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const created: string[] = [];

/** Removes every app folder this test file wrote (call in afterAll). */
export function removeTempApps(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeTempApp(
  files: Record<string, string>,
  options: { alias?: string; dependencies?: Record<string, string> } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "comind-app-"));
  created.push(dir);
  const all: Record<string, string> = {
    "package.json": JSON.stringify({
      name: "temp-app",
      comindApp: { publishingAlias: options.alias ?? "TEMP" },
      imports: { "#typings": "./typings.ts" },
      dependencies: options.dependencies ?? {},
    }),
    "typings.ts":
      'import { makeEntity } from "@comind/api";\nimport fields from "./fields";\nexport const { entity } = makeEntity(fields);\n',
    "fields/index.ts": 'export default [{ name: "c_text", caption: "Text", type: "text" }] as const;\n',
    "actions/index.ts": 'export default [{ uid: "go", caption: "Go" }] as const;\n',
    "actions/logic/index.ts":
      'import { entity } from "#typings";\nexport default { go() { entity.c_text = "went"; } };\n',
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

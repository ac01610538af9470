/**
 * `npm run docs:api [-- <out-dir>]`: the API reference of the globals and `@comind/api` modules,
 * generated from the types apps compile against (globals/) into docs/api/ (or <out-dir>), so it
 * cannot drift from them. test/docs/api-reference.test.ts regenerates it into a temp folder and
 * fails when the committed copy differs.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { collectApi } from "./api-docs/collect.ts";
import { renderApi } from "./api-docs/render.ts";

const ROOT = join(import.meta.dirname, "..");
const out = resolve(process.argv[2] ?? join(ROOT, "docs", "api"));

const files = renderApi(collectApi(ROOT));
rmSync(out, { recursive: true, force: true });
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
}
console.log(`api-docs: ${Object.keys(files).length} pages in ${out}`);

/**
 * Writes a template folder (`templates/<name>/`, shipped beside this file) into a target folder:
 * `__KEY__` placeholders in file contents are replaced, `.tmpl` is dropped from file names and
 * `gitignore`, `env.example` and `npmrc` get their leading dot (npm does not pack dot-files of
 * templates, and never packs an .npmrc).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const TEMPLATES = join(import.meta.dirname, "templates");

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function targetName(path: string): string {
  const name = path.replace(/\.tmpl$/, "");
  return ["gitignore", "env.example", "npmrc"].includes(name) ? `.${name}` : name;
}

/** Returns the written paths, relative to `target`. */
export function writeTemplate(name: string, target: string, values: Record<string, string>): string[] {
  const root = join(TEMPLATES, name);
  return templateFiles(root).map((file) => {
    const path = targetName(relative(root, file));
    const content = readFileSync(file, "utf8").replace(/__([A-Z_]+?)__/g, (whole, key: string) =>
      key in values ? values[key] : whole,
    );
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), content);
    return path;
  });
}

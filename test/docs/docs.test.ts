/**
 * The README is a short door and docs/ holds the rest: these tests keep the two from drifting
 * away from the code. Every relative link (file and #anchor) resolves, the README keeps the three
 * commands CI runs, the configuration table lists every variable an option of the CLI reads, and
 * the error page lists every code of the registry.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../runtime/cli/index.ts";
import { ERROR_CODES } from "../../runtime/errors.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

function markdownFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith(".md")
        ? [join(dir, entry.name)]
        : [],
  );
}
const PAGES = ["README.md", ...markdownFiles("docs")];

/** The text outside fenced code blocks and inline code, where links and headings live. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "``");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function brokenLinks(page: string): string[] {
  const text = prose(read(page));
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto: checked by nobody here
    const [path, anchor] = target.split("#", 2);
    const file =
      path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
    if (!existsSync(file)) {
      broken.push(`${target} (no file ${relative(ROOT, file)})`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(file).isDirectory() || !file.endsWith(".md"))
      broken.push(`${target} (an anchor into a non-page)`);
    else if (!anchorsOf(readFileSync(file, "utf8")).has(anchor))
      broken.push(`${target} (no heading #${anchor})`);
  }
  return broken;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe("the README and docs/", () => {
  it("computes GitHub's anchors", () => {
    const anchors = anchorsOf(
      "# Why `tsc` builds `dist/`, not esbuild\n## Host calls under the action's deadline\n## Limits\n## Limits\n```\n# not a heading\n```",
    );
    expect([...anchors]).toEqual([
      "why-tsc-builds-dist-not-esbuild",
      "host-calls-under-the-actions-deadline",
      "limits",
      "limits-1",
    ]);
  });

  it.each(PAGES)("%s: every relative link reaches a file and, with #, a heading of it", (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it("the README stays a door: the three commands CI runs, a first app, links on, and short", () => {
    const readme = read("README.md");
    for (const command of ["npm install", "npm start", "npm test"]) expect(readme).toContain(command);
    expect(readme).toContain("npx comind-runtime run apps/app-crm-contact sync_contacts");
    expect(readme).toContain("docs/app-developers.md");
    expect(readme.split("\n").length).toBeLessThan(120);
  });

  it("the configuration table lists every environment variable an option of the CLI reads", () => {
    const admins = read("docs/admins.md");
    const table = admins.slice(
      admins.indexOf("## Configuration"),
      admins.indexOf("\n## ", admins.indexOf("## Configuration") + 1),
    );
    const variables = new Set(
      allCommands(buildProgram()).flatMap((command) =>
        command.options.flatMap((option) => option.envVar ?? []),
      ),
    );
    expect(variables.size).toBeGreaterThan(10);
    const missing = [...variables].filter((name) => !table.includes(`\`${name}\``));
    expect(missing, "add these to the Configuration table of docs/admins.md").toEqual([]);
  });

  it("docs/cli.md documents every flag of `replay` and serve's recording flags", () => {
    const cli = read("docs/cli.md");
    const commands = allCommands(buildProgram());
    const replay = commands.find((command) => command.name() === "replay")!;
    const serve = commands.find((command) => command.name() === "serve")!;
    const flags = [
      ...replay.options.map((option) => option.long!),
      ...serve.options.map((option) => option.long!).filter((flag) => flag.startsWith("--record-")),
    ];
    expect(flags).toEqual(
      expect.arrayContaining(["--from", "--token", "--file", "--app", "--live", "--record-runs"]),
    );
    const missing = flags.filter((flag) => !new RegExp(`\`${flag}[ \`]`).test(cli));
    expect(missing, "document these flags in docs/cli.md").toEqual([]);
  });

  it("the error page lists every code of the registry (runtime/errors.ts)", () => {
    const page = read("docs/errors.md");
    const missing = Object.keys(ERROR_CODES).filter((code) => !page.includes(`\`${code}\``));
    expect(missing, "add these codes to docs/errors.md").toEqual([]);
  });
});

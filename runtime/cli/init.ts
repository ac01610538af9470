/**
 * `comind-runtime init <dir> --alias ALIAS`: a new app in the vendor's layout, ready to run,
 * type-check and test (an example action, fields, secrets and a tsconfig against globals/).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError, writeJson, writeOut } from "./output.ts";

const GLOBALS = resolve(import.meta.dirname, "..", "..", "globals", "app-tsconfig.json");

function files(name: string, alias: string, tsconfigBase: string): Record<string, string> {
  const secret = `COMIND_SECRET_${alias}_API_KEY`;
  return {
    "package.json": `${JSON.stringify({ name, private: true, comindApp: { publishingAlias: alias, titleSingular: alias[0] + alias.slice(1).toLowerCase(), titlePlural: `${alias[0]}${alias.slice(1).toLowerCase()}s` }, imports: { "#typings": "./typings.ts" } }, null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify({ extends: tsconfigBase, include: ["**/*.ts"] }, null, 2)}\n`,
    "typings.ts":
      'import { makeEntity } from "@comind/api";\nimport fields from "./fields";\n\nexport const { entity } = makeEntity(fields);\n',
    "fields/index.ts":
      'import type { AppFieldArray } from "@comind/api";\n\nexport default [\n  { name: "c_counter", caption: "Counter", type: "number" },\n  { name: "c_last_run", caption: "Last run", type: "datetime" },\n] as const satisfies AppFieldArray;\n',
    "actions/index.ts":
      'import type { AppActionArray } from "@comind/api";\n\nexport default [{ uid: "touch", caption: "Touch" }] as const satisfies AppActionArray;\n',
    "actions/logic/index.ts": `import { entity } from "#typings";\nimport { AppSchema } from "@comind/api/server";\n\n/** Counts how often it ran; see RestApi, Files and ComindServer in the README for real work. */\nfunction touch() {\n  const { ${secret} } = AppSchema.getSecrets();\n  entity.c_counter = (entity.c_counter ?? 0) + 1;\n  entity.c_last_run = new Date().toISOString();\n  console.log(\`touched \${entity.c_counter} times (API key \${${secret} ? "set" : "not set"})\`);\n}\n\nexport default { touch } satisfies ActionLogic<typeof entity>;\n`,
    "settings/secrets.ts": `export const secrets = {\n  apiKey: process.env.${secret},\n};\n`,
    "settings/index.ts": "export default {\n  vars: {},\n};\n",
  };
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("create a new app in the vendor's layout")
    .argument("<dir>", "folder of the new app (must not exist or be empty)")
    .requiredOption("--alias <ALIAS>", "publishingAlias, upper-case (e.g. INVOICE)")
    .option("--json", "machine-readable output")
    .action(async (dir: string, flags: { alias: string; json?: boolean }) => {
      const alias = flags.alias.toUpperCase();
      if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(alias))
        throw new UsageError(
          `--alias "${flags.alias}" must be letters, digits or _ and start with a letter.`,
        );
      const target = resolve(dir);
      if (existsSync(target) && readdirSync(target).length > 0)
        throw new UsageError(`"${dir}" exists and is not empty; pick a new folder.`);
      const written = Object.entries(files(basename(target), alias, relative(target, GLOBALS)));
      for (const [path, content] of written) {
        mkdirSync(join(target, path, ".."), { recursive: true });
        writeFileSync(join(target, path), content);
      }
      if (flags.json) await writeJson({ ok: true, dir: target, alias, files: written.map(([path]) => path) });
      else await writeOut(`Created app ${alias} in ${dir}\nTry: npx comind-runtime run ${dir} touch`);
    });
}

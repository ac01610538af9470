/**
 * The built-in app `serve`'s warm-up runs (path-warm-up.ts): the vendor layout, written to a
 * temporary folder and built like any app. Its action does what a typical small action does —
 * read fields, compute, set fields — and makes no host call, so the warm-up never reaches the
 * network, the secrets or the files of the server it warms.
 */
export const WARM_UP_APP_ALIAS = "WARMUP";
export const WARM_UP_ACTION = "touch";

export const WARM_UP_APP_FILES: Readonly<Record<string, string>> = {
  "package.json": JSON.stringify({
    name: "comind-runtime-warm-up",
    private: true,
    comindApp: { publishingAlias: WARM_UP_APP_ALIAS, titleSingular: "Warm-up", titlePlural: "Warm-ups" },
    imports: { "#typings": "./typings.ts" },
  }),
  "typings.ts":
    'import { makeEntity } from "@comind/api";\nimport fields from "./fields";\nexport const { entity } = makeEntity(fields);\n',
  "fields/index.ts": `export default [
  { name: "c_note", caption: "Note", type: "text" },
  { name: "c_count", caption: "Count", type: "number" },
  { name: "c_hash", caption: "Hash", type: "text" },
] as const;
`,
  "actions/index.ts": `export default [{ uid: "${WARM_UP_ACTION}", caption: "Touch" }] as const;\n`,
  "actions/logic/index.ts": `import { entity } from "#typings";

function ${WARM_UP_ACTION}() {
  entity.c_count = (entity.c_count ?? 0) + 1;
  let hash = 0x811c9dc5;
  const text = \`\${entity.c_note ?? ""}#\${entity.c_count}\`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  entity.c_hash = hash.toString(16).padStart(8, "0");
}

export default { ${WARM_UP_ACTION} };
`,
};

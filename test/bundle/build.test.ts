import { afterAll, describe, expect, it } from "vitest";
import { buildApp, readAppPackage } from "../../runtime/bundle/index.ts";
import { loadApp } from "../../runtime/actions/app-loader.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

afterAll(removeTempApps);

async function buildError(files: Record<string, string>, dependencies?: Record<string, string>) {
  try {
    await buildApp(writeTempApp(files, { dependencies }));
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("the build should have failed");
}

describe("bundling an app", () => {
  it("bundles logic with #typings and @comind/api resolved, and an inline source map", async () => {
    const build = await buildApp(writeTempApp({}));
    expect(build.alias).toBe("TEMP");
    expect(build.logicCode).toMatch(/var __comindApp = /);
    expect(build.logicCode).toMatch(/sourceMappingURL=data:application\/json;base64,/);
    expect(build.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("rejects Node built-ins naming the file and line", async () => {
    const error = await buildError({
      "actions/logic/index.ts":
        '\nimport { readFileSync } from "node:fs";\nexport default { go() { readFileSync("/etc/passwd"); } };\n',
    });
    expect(error.code).toBe("build_error");
    expect(error.message).toMatch(
      /^actions\/logic\/index\.ts:2:\d+: Node built-in "node:fs" is not available/,
    );
    const bare = await buildError({
      "actions/logic/index.ts": 'import http from "http";\nexport default { go() { http; } };\n',
    });
    expect(bare.message).toMatch(/actions\/logic\/index\.ts:1:\d+: Node built-in "http"/);
  });

  it("rejects fetch libraries and undeclared packages", async () => {
    const axios = await buildError(
      { "actions/logic/index.ts": 'import axios from "axios";\nexport default { go() { axios; } };\n' },
      { axios: "1.0.0" },
    );
    expect(axios.message).toMatch(/"axios" cannot be used in action logic.*use RestApi/);
    const undeclared = await buildError({
      "actions/logic/index.ts": 'import _ from "lodash";\nexport default { go() { _; } };\n',
    });
    expect(undeclared.message).toMatch(/Package "lodash" is not declared in the app's package.json/);
  });

  it("reports syntax errors with their location", async () => {
    const error = await buildError({ "actions/logic/index.ts": "export default { go() { let x = ; } };\n" });
    expect(error.code).toBe("build_error");
    expect(error.message).toMatch(/^actions\/logic\/index\.ts:1:\d+: /);
  });

  it("collects the secret names settings/secrets.ts reads, however it reads them", async () => {
    const app = await loadApp(
      writeTempApp({
        "settings/secrets.ts": [
          "const { COMIND_SECRET_D, COMIND_SECRET_E: renamed } = process.env;",
          "const env = process.env;",
          'const key = "COMIND_SECRET_" + "F";',
          "// const old = process.env.COMIND_SECRET_COMMENTED;",
          "/* process.env.COMIND_SECRET_BLOCK_COMMENT */",
          'const text = "process.env.COMIND_SECRET_IN_A_STRING";',
          "export const secrets = {",
          '  a: process.env.COMIND_SECRET_B, b: process.env["COMIND_SECRET_A"], c: process.env.HOME,',
          "  d: COMIND_SECRET_D, e: renamed, f: env[key], g: env.COMIND_SECRET_G, text,",
          "};",
        ].join("\n"),
      }),
      32,
    );
    expect(app.manifest.secretNames).toEqual([
      "COMIND_SECRET_A",
      "COMIND_SECRET_B",
      "COMIND_SECRET_D",
      "COMIND_SECRET_E",
      "COMIND_SECRET_F",
      "COMIND_SECRET_G",
    ]);
    const none = await loadApp(writeTempApp({}), 32);
    expect(none.manifest.secretNames).toEqual([]);
  });

  it("explains what is wrong with an invalid app folder", async () => {
    const noAlias = writeTempApp({ "package.json": JSON.stringify({ name: "x" }) });
    await expect(buildApp(noAlias)).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringContaining('"comindApp"'),
    });
    await expect(buildApp("/nonexistent/app")).rejects.toMatchObject({ code: "unknown_app" });
    const badField = writeTempApp({
      "fields/index.ts": 'export default [{ name: "c_x", type: "colour" }];\n',
    });
    await expect(loadApp(badField, 32)).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringContaining('unknown type "colour"'),
    });
  });

  it("reads the process template id legacy clients name the app by, declared or derived", () => {
    const pkg = (name: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ name, comindApp: { publishingAlias: "LEAD", ...extra } });
    const derived = readAppPackage(writeTempApp({ "package.json": pkg("@comind/App-CRM-Lead") }));
    expect(derived).toMatchObject({
      processTemplateId: "default-app-crm-lead",
      processTemplateDeclared: false,
    });
    const declared = readAppPackage(
      writeTempApp({
        "package.json": pkg("app-x", { processTemplateId: "Default-Transaction-Process-Template" }),
      }),
    );
    expect(declared).toMatchObject({
      processTemplateId: "default-transaction-process-template",
      processTemplateDeclared: true,
    });
    for (const bad of ["", "../x", 42, "a b"])
      expect(() =>
        readAppPackage(writeTempApp({ "package.json": pkg("app-x", { processTemplateId: bad }) })),
      ).toThrow(
        expect.objectContaining({
          code: "app_invalid",
          message: expect.stringContaining("processTemplateId"),
        }),
      );
  });

  it("reads fields and actions by running the manifest inside an isolate", async () => {
    const app = await loadApp(writeTempApp({}), 32);
    expect(app.manifest.fields).toEqual([{ name: "c_text", caption: "Text", type: "text" }]);
    expect([...app.actionUids]).toEqual(["add", "edit", "delete", "copy", "move", "archive", "go"]);
  });
});

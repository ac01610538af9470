import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { runCli } from "../helpers/cli.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function api(url: string, token: string, path: string, body?: unknown) {
  const res = await request(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.body.json() as Promise<any>;
}

const newToken = async (data: string) =>
  JSON.parse((await runCli(["token", "create", "admin", "--admin", "--data", data, "--json"])).stdout)
    .token as string;

describe("npm start", () => {
  it("serves the example apps, answers with a token, and shuts down on SIGTERM", async () => {
    const data = join(dir, "start");
    const server = await startServerProcess("npm", [
      "start",
      "--",
      "--port",
      "0",
      "--data",
      data,
      "--workers",
      "1",
    ]);
    expect(await (await request(`${server.url}/health`)).body.json()).toEqual({
      ok: true,
      store: "up",
      jobs: "up",
    });
    const token = await newToken(data);
    expect((await api(server.url, token, "/api/common")).server.apps).toEqual(
      expect.arrayContaining(["CONTACT", "USERDIR", "ORDER", "AWTASK", "REPORT"]),
    );
    expect((await api(server.url, token, "/api/admin/stats")).workers).toHaveLength(1);
    // The start's warm-ups (cli/path-warm-up.ts, sandbox/warm-up.ts) ran and left nothing in the
    // store: no run, no app of theirs.
    expect(server.output()).toMatch(/"warmUpMs":\d+/);
    expect((await api(server.url, token, "/api/runs")).runs).toEqual([]);
    expect((await api(server.url, token, "/api/common")).server.apps).not.toContain("WARMUP");
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain("shutting down");
  });
});

describe("comind-runtime dev", () => {
  it("rebuilds an app when its files change and keeps the last good build on errors", async () => {
    // A folder of its own for the watched apps (never a shared parent such as the temp dir).
    const apps = join(dir, "apps");
    mkdirSync(apps);
    const app = join(apps, "app-live");
    renameSync(writeTempApp({}, { alias: "LIVE" }), app);
    const data = join(dir, "dev");
    const server = await startServerProcess("node_modules/.bin/node", [
      "--no-node-snapshot",
      "bin/comind-runtime.js",
      "dev",
      "--apps",
      apps,
      "--port",
      "0",
      "--data",
      data,
    ]);
    try {
      const token = await newToken(data);
      const run = async () =>
        (await api(server.url, token, "/api/apps/DEMO/LIVE/actions/go", {})).entity?.c_text;
      expect(await run()).toBe("went");
      let mark = server.output().length;
      writeFileSync(
        join(app, "actions/logic/index.ts"),
        'import { entity } from "#typings";\nexport default { go() { entity.c_text = "changed"; } };\n',
      );
      await server.waitFor(/app rebuilt/, mark);
      expect(await run()).toBe("changed");
      mark = server.output().length;
      writeFileSync(join(app, "actions/logic/index.ts"), "export default { go() { let x = ; } };\n");
      await server.waitFor(/app not rebuilt/, mark);
      expect(await run()).toBe("changed");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

// `dev` rebuilds an app on every save, whether the editor replaces the file by rename (vim,
// sed -i, many IDEs) or writes it in place, in any order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { type CliProcess, startCli } from "../helpers/cli-process.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-dev-"));
const apps = join(dir, "apps");
const logic = join(apps, "app-temp", "actions", "logic", "index.ts");
let dev: CliProcess;
let url: string;
let token: string;

const source = (word: string) => `export default { go() { console.log("version ${word}"); } };\n`;

beforeAll(async () => {
  cpSync(writeTempApp({ "actions/logic/index.ts": source("one") }), join(apps, "app-temp"), {
    recursive: true,
  });
  const data = join(dir, "data");
  token = JSON.parse(
    (await runCli(["token", "create", "dev", "--admin", "--data", data, "--json"])).stdout,
  ).token;
  dev = startCli(["dev", "--apps", apps, "--data", data, "--port", "0"], { env: { LOG_LEVEL: "info" } });
  [, url] = await dev.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
  await dev.waitFor(/watching apps for changes/);
});
afterAll(async () => {
  await dev?.stop();
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

async function loggedByAction(): Promise<string> {
  const response = await fetch(`${url}/api/apps/DEMO/TEMP/actions/go`, {
    method: "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: "{}",
  });
  const result = (await response.json()) as { logs: { message: string }[] };
  return result.logs.map((entry: { message: string }) => entry.message).join("\n");
}

const rebuilds = () => dev.output().match(/"msg":"app rebuilt"/g)?.length ?? 0;

async function saveAndWait(save: () => void, word: string): Promise<void> {
  const before = rebuilds();
  save();
  await expect.poll(rebuilds, { timeout: 30_000, interval: 100 }).toBeGreaterThan(before);
  expect(await loggedByAction()).toBe(`version ${word}`);
}

const renameSave = (word: string) => () => {
  writeFileSync(`${logic}.tmp`, source(word));
  renameSync(`${logic}.tmp`, logic);
};
const inPlaceSave = (word: string) => () => writeFileSync(logic, source(word));

describe("comind-runtime dev", () => {
  it("serves the app as it was at start", async () => {
    expect(await loggedByAction()).toBe("version one");
  });

  it("rebuilds after a rename-save, then after in-place saves", async () => {
    await saveAndWait(renameSave("two"), "two");
    await saveAndWait(inPlaceSave("three"), "three");
    await saveAndWait(inPlaceSave("four"), "four");
    await saveAndWait(renameSave("five"), "five");
    await saveAndWait(inPlaceSave("six"), "six");
  });

  it("keeps serving the previous version when a save does not build", async () => {
    const before = dev.output().length;
    writeFileSync(logic, "export default { go() { const = ; } };\n");
    await dev.waitFor(/app not rebuilt: the previous version keeps serving/, before);
    expect(await loggedByAction()).toBe("version six");
  });
});

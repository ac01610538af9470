import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockCrm, type MockCrm } from "../fixtures/mock-crm.ts";
import { runCli } from "../helpers/cli.ts";

// Seed 001's complete example, unchanged, in apps/app-crm-contact, against a real local CRM.
let crm: MockCrm;
let dir: string;
let envFile: string;
const APP = "apps/app-crm-contact";

beforeAll(async () => {
  crm = await startMockCrm();
  dir = mkdtempSync(join(tmpdir(), "comind-cli-"));
  envFile = join(dir, ".env");
  writeFileSync(envFile, `COMIND_SECRET_CRM_API_KEY=${crm.apiKey}\nCOMIND_SECRET_CRM_BASE_URL=${crm.url}\n`);
});
afterAll(async () => {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
});

const data = () => join(dir, "data");
/** `run sync_contacts --json` against the mock CRM, into this file's data folder. */
const syncJson = () =>
  runCli([
    "run",
    APP,
    "sync_contacts",
    "--env",
    envFile,
    "--data",
    data(),
    "--allow-host",
    "127.0.0.1",
    "--json",
  ]);

describe("comind-runtime run (seed 001 sync_contacts)", () => {
  it("creates 3 contacts, then updates the same 3", async () => {
    const first = await syncJson();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const firstJson = JSON.parse(first.stdout);
    expect(firstJson.ok).toBe(true);
    expect(firstJson.logs).toEqual([
      { level: "log", message: "Fetched 3 contacts from CRM" },
      { level: "log", message: "Import complete: 3 created, 0 updated" },
    ]);
    expect(firstJson.entity.c_last_sync_status).toBe("Synced 3 contacts");
    expect(crm.requests.at(-1)!.headers["x-api-key"]).toBe(crm.apiKey);
    expect(crm.requests.at(-1)!.query.get("limit")).toBe("200");

    crm.contacts[0] = { ...crm.contacts[0], phone: "+44 2" };
    const second = await syncJson();
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).logs[1].message).toBe("Import complete: 0 created, 3 updated");
  });

  it("lists the imported contacts with `records`", async () => {
    const listed = await runCli([
      "records",
      APP,
      "--data",
      data(),
      "--filter",
      'c_source="crm-sync"',
      "--json",
    ]);
    expect(listed.code).toBe(0);
    const records = JSON.parse(listed.stdout);
    expect(records.map((r: any) => r.title).sort()).toEqual([
      "Ada Lovelace",
      "Grace Hopper",
      "Katherine Johnson",
    ]);
    expect(records.map((r: any) => r.revision).sort()).toEqual([1, 1, 2]);
  });

  it("shows history of a record and the run log", async () => {
    const listed = JSON.parse(
      (await runCli(["records", APP, "--data", data(), "--filter", 'c_external_id="101"', "--json"])).stdout,
    );
    const history = await runCli(["history", listed[0].id, "--data", data(), "--json"]);
    const entries = JSON.parse(history.stdout);
    expect(entries.map((e: any) => e.revision)).toEqual([1, 2]);
    expect(entries[0].changes).toContainEqual({ field: "c_email", old: null, new: "ada@example.test" });
    expect(entries[1].changes).toEqual([{ field: "c_phone", old: "+44 1", new: "+44 2" }]);
    const runs = JSON.parse((await runCli(["runs", "--data", data(), "--app", "CONTACT", "--json"])).stdout);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ ok: true, source: "cli", action: "sync_contacts" });
    expect(runs[0].httpCalls[0]).toMatchObject({
      method: "GET",
      host: expect.stringContaining("127.0.0.1"),
      path: "/api/v2/contacts",
      status: 200,
    });
  });

  it("prints the logs and a readable summary without --json", async () => {
    const result = await runCli(["run", APP, "sync_contacts", "--env", envFile, "--allow-host", "127.0.0.1"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("[log] Import complete: 3 created, 0 updated");
    expect(result.stdout).toMatch(/✔ sync_contacts succeeded on record [0-9a-f-]{36} \(created\)/);
  });

  it("fails with exit 1 and the thrown message when secrets are missing", async () => {
    const result = await runCli(["run", APP, "sync_contacts", "--json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.ok).toBe(false);
    expect(json.error.code).toBe("logic_error");
    expect(json.error.message).toMatch(/^Missing CRM credentials/);
  });

  it("refuses loopback egress unless --allow-host names it, and never shows the API key", async () => {
    const result = await runCli(["run", APP, "sync_contacts", "--env", envFile, "--json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.error.code).toBe("egress_denied");
    expect(result.stdout).not.toContain(crm.apiKey);
  });

  it("runs on a record from --record and reports bad usage with exit 2 and one line", async () => {
    const recordFile = join(dir, "record.json");
    writeFileSync(
      recordFile,
      JSON.stringify({ title: "Sync job", c_last_sync_date: "2026-01-01T00:00:00Z" }),
    );
    const ok = await runCli([
      "run",
      APP,
      "sync_contacts",
      "--record",
      recordFile,
      "--env",
      envFile,
      "--allow-host",
      "127.0.0.1",
      "--json",
    ]);
    expect(JSON.parse(ok.stdout).entity.title).toBe("Sync job");
    expect(crm.requests.at(-1)!.query.get("updated_since")).toBe("2026-01-01T00:00:00Z");

    writeFileSync(join(dir, "bad.json"), "{ not json");
    for (const args of [
      ["run", "apps/no-such-app", "sync_contacts"],
      ["run", APP, "no_such_action"],
      ["run", APP, "sync_contacts", "--record", join(dir, "bad.json")],
      ["run", APP, "sync_contacts", "--cpu-ms", "fast"],
      ["run", APP],
    ]) {
      const bad = await runCli(args);
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stdout).toBe("");
      expect(bad.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(bad.stderr).not.toMatch(/\n\s+at\s/);
    }
  });
});

describe("comind-runtime run exits cleanly after a broken limit", () => {
  it("exits 1 with its JSON (not a signal) after an out-of-memory action", async () => {
    const result = await runCli([
      "run",
      "test/fixtures/apps/app-probe",
      "memory_bomb",
      "--memory-mb",
      "32",
      "--cpu-ms",
      "5000",
      "--json",
    ]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe("out_of_memory");
  });

  it("prints a large JSON document completely to a pipe", async () => {
    const result = await runCli(["run", "test/fixtures/apps/app-probe", "log_flood", "--json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.logs.length).toBeGreaterThan(4_000);
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
  });
});

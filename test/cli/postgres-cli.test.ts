import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockCrm, type MockCrm } from "../fixtures/mock-crm.ts";
import { runCli } from "../helpers/cli.ts";
import { POSTGRES } from "../helpers/engines.ts";

// The CLI against Postgres (--database-url): the same seed-001 run as on the embedded store.
let crm: MockCrm;
let url: string;
let cleanup: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  crm = await startMockCrm();
  const created = await POSTGRES.create();
  cleanup = created.cleanup;
  // libpq-style `options` puts the test's fresh schema first on the search path.
  url = `${created.options.databaseUrl}?options=${encodeURIComponent(`-c search_path=${created.options.schema}`)}`;
  dir = mkdtempSync(join(tmpdir(), "comind-pgcli-"));
  writeFileSync(
    join(dir, ".env"),
    `COMIND_SECRET_CRM_API_KEY=${crm.apiKey}\nCOMIND_SECRET_CRM_BASE_URL=${crm.url}\n`,
  );
});
afterAll(async () => {
  await crm.close();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("comind-runtime with --database-url", () => {
  it("runs seed 001 twice and lists the records", async () => {
    const args = [
      "run",
      "apps/app-crm-contact",
      "sync_contacts",
      "--env",
      join(dir, ".env"),
      "--allow-host",
      "127.0.0.1",
      "--json",
    ];
    const first = await runCli([...args, "--database-url", url]);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout).logs[1].message).toBe("Import complete: 3 created, 0 updated");
    const second = await runCli(args, { env: { DATABASE_URL: url } });
    expect(JSON.parse(second.stdout).logs[1].message).toBe("Import complete: 0 created, 3 updated");
    const records = JSON.parse(
      (
        await runCli([
          "records",
          "apps/app-crm-contact",
          "--database-url",
          url,
          "--filter",
          'c_source="crm-sync"',
          "--json",
        ])
      ).stdout,
    );
    expect(records).toHaveLength(3);
    const runs = JSON.parse((await runCli(["runs", "--database-url", url, "--json"])).stdout);
    expect(runs.map((r: any) => r.ok)).toEqual([true, true]);
  });
});

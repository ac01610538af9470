// The README's "Run an action from the command line", copy-pasted: the shipped mock CRM, the
// README's key, sync_contacts twice on one store.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startCli } from "../helpers/cli-process.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-walkthrough-"));
const mock = startCli(["mock", "crm", "--port", "0", "--json"]);
afterAll(async () => {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("comind-runtime mock crm", () => {
  it("serves the README's walkthrough with the README's key", async () => {
    const [, url] = await mock.waitFor(/"url": "(http:\/\/127\.0\.0\.1:\d+)"/);
    expect(mock.output()).toContain('"apiKey": "your-key"');
    const env = join(dir, ".env");
    writeFileSync(env, `COMIND_SECRET_CRM_API_KEY=your-key\nCOMIND_SECRET_CRM_BASE_URL=${url}\n`);
    const args = ["run", "apps/app-crm-contact", "sync_contacts", "--env", env, "--data", join(dir, "data")];
    const first = await runCli([...args, "--allow-host", "127.0.0.1"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("[log] Fetched 3 contacts from CRM");
    expect(first.stdout).toContain("[log] Import complete: 3 created, 0 updated");
    expect(first.stdout).toMatch(/✔ sync_contacts succeeded on record \S+ \(created\)/);
    const second = await runCli([...args, "--allow-host", "127.0.0.1", "--json"]);
    expect(JSON.parse(second.stdout).logs.map((l: { message: string }) => l.message)).toContain(
      "Import complete: 0 created, 3 updated",
    );
  });

  it("refuses a wrong key like a real CRM", async () => {
    const [, url] = await mock.waitFor(/"url": "(http:\/\/127\.0\.0\.1:\d+)"/);
    const response = await fetch(`${url}/api/v2/contacts`, { headers: { "x-api-key": "wrong" } });
    expect(response.status).toBe(401);
  });

  it("names a taken port", async () => {
    const [, port] = await mock.waitFor(/"url": "http:\/\/127\.0\.0\.1:(\d+)"/);
    const second = await runCli(["mock", "crm", "--port", port]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`Cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });

  it("--detach returns once it listens, with the id of the process that serves", async () => {
    const started = await runCli(["mock", "crm", "--port", "0", "--detach", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const { url, apiKey, pid } = JSON.parse(started.stdout);
    try {
      expect(apiKey).toBe("your-key");
      // No waiting: the command returned, so the mock answers now.
      const response = await fetch(`${url}/api/v2/contacts`, { headers: { "x-api-key": "your-key" } });
      expect(response.status).toBe(200);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await expect
      .poll(
        () =>
          fetch(url).then(
            () => "up",
            () => "down",
          ),
        { timeout: 30_000, interval: 200 },
      )
      .toBe("down");
  });

  it("--detach prints the id alone on stdout (for MOCK=$(...)) and a sentence on stderr", async () => {
    const started = await runCli(["mock", "crm", "--port", "0", "--detach"]);
    expect(started.code, started.stderr).toBe(0);
    const pid = Number(started.stdout.trim());
    try {
      expect(started.stdout).toMatch(/^\d+\n$/);
      expect(started.stderr).toMatch(
        new RegExp(
          `Mock CRM on http://127\\.0\\.0\\.1:\\d+ \\(X-API-Key: your-key\\) in the background, process ${pid}: stop it with kill ${pid}`,
        ),
      );
    } finally {
      process.kill(pid, "SIGTERM");
    }
  });

  it("--detach names a taken port and exits 2, leaving nothing behind", async () => {
    const [, port] = await mock.waitFor(/"url": "http:\/\/127\.0\.0\.1:(\d+)"/);
    const second = await runCli(["mock", "crm", "--port", port, "--detach"]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain(`Cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    await mock.waitFor(/"url"/);
    expect(await mock.stop()).toBe(0);
  });
});

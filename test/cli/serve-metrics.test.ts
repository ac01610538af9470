/**
 * `serve`'s metrics settings end to end: on by default behind a token from the environment
 * (COMIND_METRICS_TOKEN), with a sandbox worker process whose isolates the scrape reports;
 * `--metrics off` has no /metrics at all; a token with metrics off is bad usage.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { readScrape } from "../helpers/prometheus.ts";
import { type ServeChild, startServeChild } from "../helpers/serve-child.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-serve-metrics-"));
const apps = join(writeTempApp({}, { alias: "METERED" }), "..");
const children: ServeChild[] = [];
afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

const serve = async (args: string[], env: Record<string, string> = {}) => {
  const child = await startServeChild(
    ["--apps", apps, "--data", join(dir, String(children.length)), ...args],
    env,
  );
  children.push(child);
  return child;
};

describe("serve --metrics", () => {
  it("serves /metrics to the bearer of COMIND_METRICS_TOKEN only, with its worker processes", async () => {
    const server = await serve(["--workers", "1"], { COMIND_METRICS_TOKEN: "tok-123" });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const reply = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer tok-123" } });
    expect(reply.status).toBe(200);
    const scrape = readScrape(await reply.text());
    expect(scrape.value("comind_sandbox_workers")).toBe(1);
    expect(scrape.value("comind_queue_runs", { state: "queued" })).toBe(0);
    expect(scrape.value("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("has no /metrics with --metrics off", async () => {
    const server = await serve(["--workers", "0", "--metrics", "off"]);
    // an unknown path: 401 to a client without credentials, like any other
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it("refuses a metrics token with metrics off (exit 2)", async () => {
    const result = await runCli(["serve", "--apps", apps, "--metrics", "off", "--metrics-token", "x"], {
      killAfterMs: 30_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--metrics-token (COMIND_METRICS_TOKEN) is set but --metrics");
  });
});

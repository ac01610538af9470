/**
 * `replay <runId>` end to end: a run fails on a real server (an outbound call to a scoring
 * service on 127.0.0.1, with a secret); its recording is fetched over REST (its user and admins
 * only) and replayed with the real CLI against the app folder: the same failure; the fixed app
 * succeeds and shows the difference; an app that asks another path is a mismatch with both sides.
 * Redaction: neither the secret (sent as a header and echoed in the body) nor a sensitive field's
 * value is in the recording.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { IBAN, SCORE_KEY, SCORE_LOGIC, startScoreService, writeScoreApp } from "../helpers/score-app.ts";
import { authAs, startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps } from "../helpers/temp-app.ts";

let api: TestServerApi;
let service: Awaited<ReturnType<typeof startScoreService>>;
let serverUrl: string;
let runId: string;
let recordingText: string;
let recordingFile: string;

beforeAll(async () => {
  service = await startScoreService();
  api = await startApi([writeScoreApp(SCORE_LOGIC.broken)], {
    runtime: {
      allowHosts: ["127.0.0.1"],
      secrets: { COMIND_SECRET_SCORE_KEY: SCORE_KEY, COMIND_SECRET_SCORE_URL: service.url },
      recording: { mode: "failed", sensitiveFields: ["c_iban"] },
    },
    server: { console: true },
  });
  serverUrl = await api.server.listen({ host: "127.0.0.1", port: 0 });
  const ran = await api.post("/api/apps/DEMO/SCORE/actions/rate", {
    values: { c_customer: "ACME", c_iban: IBAN },
  });
  const body = ran.json();
  expect(body.ok, ran.body).toBe(false);
  expect(body.error.code).toBe("logic_error");
  runId = body.runId;
  const fetched = await fetch(`${serverUrl}/api/runs/${runId}/recording`, { headers: api.auth });
  expect(fetched.status).toBe(200);
  expect(fetched.headers.get("content-disposition")).toContain(`run-${runId}.json`);
  recordingText = await fetched.text();
  recordingFile = join(api.dataDir, `run-${runId}.json`);
  writeFileSync(recordingFile, recordingText);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await service?.close();
  removeTempApps();
});

const replayCli = (args: string[], env?: Record<string, string>) =>
  runCli(["replay", runId, "--allow-host", "127.0.0.1", ...args], { env });

describe("the recording of a failed run", () => {
  it("has what the run needs, in order: the record, caller, seed, bundle hash and the HTTP answer", () => {
    const recording = JSON.parse(recordingText);
    expect(recording).toMatchObject({
      format: "comind-run-recording/1",
      runId,
      app: "SCORE",
      action: "rate",
      caller: { id: "alice" },
      secretNames: ["COMIND_SECRET_SCORE_KEY", "COMIND_SECRET_SCORE_URL"],
      outcome: { ok: false, error: { code: "logic_error" } },
    });
    expect(recording.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(recording.bundleHash).toMatch(/^[0-9a-f]{16}$/);
    expect(recording.init.entity.c_customer).toBe("ACME");
    expect(recording.calls.map((call: { name: string }) => call.name)).toEqual(["http.execute"]);
    expect(recording.calls[0].answer.statusCode).toBe(200);
    expect(JSON.parse(recording.calls[0].answer.content).score).toBe("low");
  });

  it("holds no secret value (sent as a header, echoed in the body) and no sensitive field's value", () => {
    expect(recordingText).not.toContain(SCORE_KEY);
    expect(recordingText).not.toContain(IBAN);
    const recording = JSON.parse(recordingText);
    expect(JSON.parse(recording.calls[0].answer.content).key).toBe("***");
    expect(recording.init.entity.c_iban).toBe("***");
    expect(recording.values.c_iban).toBe("***");
  });

  it("is refused to another user, given to an admin, and not found for a run that kept none", async () => {
    const bob = await authAs(api.store, { id: "bob" });
    const refused = await api.get(`/api/runs/${runId}/recording`, bob);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("forbidden");
    expect(refused.body).not.toContain("***");
    const admin = await authAs(api.store, { id: "root", isAdmin: true });
    expect((await api.get(`/api/runs/${runId}/recording`, admin)).body).toBe(recordingText);
    const succeeded = await api.post("/api/apps/DEMO/SCORE/actions/edit", { values: { c_customer: "X" } });
    const none = await api.get(`/api/runs/${succeeded.json().runId}/recording`);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe("not_found");
  });
});

describe("the console's run page", () => {
  const page = (url: string, token: string) =>
    api.server.inject({
      method: "GET",
      url,
      cookies: { comind_console: `CMW_AUTH_CODE ${token}` },
      headers: { host: "localhost" },
    });

  it("offers the recording for download to the run's user, and nothing to another user", async () => {
    const runPage = await page(`/console/runs/${runId}`, api.token);
    expect(runPage.statusCode).toBe(200);
    expect(runPage.body).toContain(`href="/console/runs/${runId}/recording"`);
    const download = await page(`/console/runs/${runId}/recording`, api.token);
    expect(download.headers["content-disposition"]).toContain(`run-${runId}.json`);
    expect(download.body).toBe(recordingText);
    const bob = (await authAs(api.store, { id: "bob2" })).authorization.replace("CMW_AUTH_CODE ", "");
    const refused = await page(`/console/runs/${runId}/recording`, bob);
    expect(refused.statusCode).toBe(404);
    expect(refused.body).not.toContain('"calls"');
  });
});

describe("comind-runtime replay", () => {
  it("fetches the recording from the server and reproduces the failure against the same app", async () => {
    const before = service.requests.length;
    const result = await replayCli([
      "--from",
      serverUrl,
      "--token",
      api.token,
      "--app",
      api.runtime.apps.get("SCORE")!.dir,
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("(the recorded bundle)");
    expect(result.stdout).toContain("[log] score service answered 200");
    expect(result.stdout).toMatch(/✖ replayed: failed: logic_error: .*score/);
    expect(result.stdout).toContain("Same outcome as the recorded run.");
    // Answered from the recording: the service was not asked again.
    expect(service.requests.length).toBe(before);
  }, 60_000);

  it("shows the fixed app succeeding, and the difference", async () => {
    const result = await replayCli([
      "--file",
      recordingFile,
      "--app",
      writeScoreApp(SCORE_LOGIC.fixed),
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.sameBundle).toBe(false);
    expect(report.replayed).toMatchObject({ ok: true, entity: { c_score: "LOW", c_customer: "ACME" } });
    expect(report.mismatches).toEqual([]);
    expect(report.differences).toContainEqual({ path: "ok", recorded: false, replayed: true });
    expect(report.same).toBe(false);
  }, 60_000);

  it("reports a host call that differs from the recording with both sides", async () => {
    const before = service.requests.length;
    const result = await replayCli(["--file", recordingFile, "--app", writeScoreApp(SCORE_LOGIC.otherPath)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✖ host call #1 does not match the recording:");
    expect(result.stdout).toMatch(/recorded: http\.execute .*"\/score"/);
    expect(result.stdout).toMatch(/replayed: http\.execute .*"\/v2\/score"/);
    expect(result.stdout).toContain("replay_mismatch");
    expect(service.requests.length).toBe(before);
  }, 60_000);

  it("with --live lets the unmatched call go to the network, with the developer's own secrets", async () => {
    const before = service.requests.length;
    const result = await replayCli(
      ["--file", recordingFile, "--app", writeScoreApp(SCORE_LOGIC.otherPath), "--live", "--json"],
      { COMIND_SECRET_SCORE_KEY: SCORE_KEY, COMIND_SECRET_SCORE_URL: service.url },
    );
    const report = JSON.parse(result.stdout);
    expect(report.mismatches).toHaveLength(1);
    expect(report.mismatches[0]).toMatchObject({ live: true, replayed: { name: "http.execute" } });
    expect(report.replayed).toMatchObject({ ok: true, entity: { c_score: "LOW" } });
    expect(service.requests.slice(before)).toEqual([expect.stringMatching(/^\/v2\/score\?customer=ACME/)]);
  }, 60_000);

  it("refuses bad usage with a clear message", async () => {
    const neither = await runCli(["replay", runId]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("--from <server URL> --token <token>, or --file <run.json>");
    const otherRun = await runCli(["replay", "another-run", "--file", recordingFile]);
    expect(otherRun.code).toBe(2);
    expect(otherRun.stderr).toContain(`recording of run ${runId}, not another-run`);
  }, 60_000);
});

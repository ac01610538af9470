/**
 * The test kit's `replay(recording)`: a production failure becomes a regression test in one line;
 * a recorded successful run replays to the same entity (Math.random from the recorded seed), also
 * when it was recorded in a sandbox worker process; an app's `recordRuns` setting overrides the
 * server's mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper, createAppTester } from "../../runtime/testing/index.ts";
import { IBAN, SCORE_KEY, SCORE_LOGIC, startScoreService, writeScoreApp } from "../helpers/score-app.ts";
import { startRuntime } from "../helpers/runtime.ts";
import { removeTempApps } from "../helpers/temp-app.ts";

let service: Awaited<ReturnType<typeof startScoreService>>;
const secrets = () => ({ COMIND_SECRET_SCORE_KEY: SCORE_KEY, COMIND_SECRET_SCORE_URL: service.url });

beforeAll(async () => {
  service = await startScoreService();
});

afterAll(async () => {
  await service.close();
  removeTempApps();
});

async function recordOne(logic: string, mode: "failed" | "all", settings?: string) {
  const dir = writeScoreApp(logic);
  if (settings) {
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(`${dir}/settings`, { recursive: true });
    writeFileSync(`${dir}/settings/index.ts`, settings);
  }
  const app = await createAppTester(dir, {
    secrets: secrets(),
    allowHosts: ["127.0.0.1"],
    recording: { mode, sensitiveFields: [] },
  });
  try {
    const result = await app.run("rate", { values: { c_customer: "ACME", c_iban: IBAN } });
    const text = await app.store.getRunRecording(result.runId);
    return { result, recording: text ? JSON.parse(text) : null };
  } finally {
    await app.close();
  }
}

/** The fixed app whose token is made of the clock's readings (and a date that is no reading). */
const CLOCKED = SCORE_LOGIC.fixed.replace(
  "entity.c_token = Math.random().toString(36).slice(2);",
  "entity.c_token = [Date.now(), new Date().toISOString(), Date(), new Date(0).getTime()].join('|');",
);

describe("createAppTester(...).replay", () => {
  it("turns a recorded failure into a regression test of the fixed app", async () => {
    const { result, recording } = await recordOne(SCORE_LOGIC.broken, "failed");
    expect(result.ok).toBe(false);
    const fixed = await createAppTester(writeScoreApp(SCORE_LOGIC.fixed));
    try {
      const before = service.requests.length;
      expect((await fixed.replay(recording)).replayed).toMatchObject({
        ok: true,
        entity: { c_score: "LOW" },
      });
      expect(service.requests.length).toBe(before);
      // The same recording against the code that failed still fails the same way.
      const broken = await createAppTester(writeScoreApp(SCORE_LOGIC.broken));
      try {
        const report = await broken.replay(recording);
        expect(report).toMatchObject({ same: true, sameBundle: true, differences: [], mismatches: [] });
      } finally {
        await broken.close();
      }
    } finally {
      await fixed.close();
    }
  }, 60_000);

  it("replays a recorded success to the same entity: Math.random comes from the recorded seed", async () => {
    const { result, recording } = await recordOne(SCORE_LOGIC.fixed, "all");
    expect(result.ok).toBe(true);
    const app = await createAppTester(writeScoreApp(SCORE_LOGIC.fixed));
    try {
      const report = await app.replay(recording);
      expect(report.replayed.entity?.c_token).toBe(recording.outcome.entity.c_token);
      expect(report).toMatchObject({ same: true, differences: [] });
    } finally {
      await app.close();
    }
  }, 60_000);

  it("replays the clock: Date.now(), new Date() and Date() read what the recorded run read", async () => {
    expect(CLOCKED).not.toBe(SCORE_LOGIC.fixed);
    const { result, recording } = await recordOne(CLOCKED, "all");
    expect(result.ok).toBe(true);
    // Three readings of "now"; a date built from a value is no reading.
    expect(recording.clock).toHaveLength(3);
    // Each reading is its own: the second may be a millisecond after the first.
    const [now, next] = recording.clock;
    expect(
      result.ok && String(result.entity.c_token).startsWith(`${now}|${new Date(next).toISOString()}|`),
    ).toBe(true);
    const app = await createAppTester(writeScoreApp(CLOCKED), {
      secrets: secrets(),
      allowHosts: ["127.0.0.1"],
    });
    try {
      const report = await app.replay(recording);
      expect(report.replayed.entity?.c_token).toBe(result.ok && result.entity.c_token);
      expect(report).toMatchObject({ same: true, differences: [] });
      // Outside a replay the clock is the real one again.
      const live = await app.run("rate", { values: { c_customer: "ACME", c_iban: IBAN } });
      expect(live.ok).toBe(true);
      expect(live.ok && live.entity.c_token).not.toBe(result.ok && result.entity.c_token);
    } finally {
      await app.close();
    }
  }, 60_000);

  it("replays a run recorded in a sandbox worker process the same way", async () => {
    const t = await startRuntime({
      secrets: secrets(),
      allowHosts: ["127.0.0.1"],
      workers: 1,
      spareWorkers: 0,
      recording: { mode: "all", sensitiveFields: [] },
    });
    try {
      // The clock's readings cross from the worker with the outcome.
      await t.runtime.loadApp(writeScoreApp(CLOCKED));
      const result = await t.runtime.run({
        app: "SCORE",
        action: "rate",
        values: { c_customer: "ACME" },
        caller: asDeveloper(),
      });
      expect(result.ok).toBe(true);
      const recording = JSON.parse((await t.store.getRunRecording(result.runId))!);
      expect(recording.secretNames).toEqual(["COMIND_SECRET_SCORE_KEY", "COMIND_SECRET_SCORE_URL"]);
      expect(recording.clock).toHaveLength(3);
      const app = await createAppTester(writeScoreApp(CLOCKED));
      try {
        const report = await app.replay(recording);
        expect(report).toMatchObject({ same: true, differences: [], mismatches: [] });
        expect(report.replayed.entity?.c_token).toBe(result.ok && result.entity.c_token);
      } finally {
        await app.close();
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it('keeps no recording when the app\'s settings say recordRuns: "off"', async () => {
    const { result, recording } = await recordOne(
      SCORE_LOGIC.broken,
      "failed",
      'export default { recordRuns: "off" };\n',
    );
    expect(result.ok).toBe(false);
    expect(recording).toBeNull();
  }, 60_000);

  it("refuses what is not a recording with a clear error", async () => {
    const app = await createAppTester(writeScoreApp(SCORE_LOGIC.fixed));
    try {
      await expect(app.replay({ runId: "x" })).rejects.toMatchObject({
        code: "bad_request",
        message: expect.stringContaining("not a run recording"),
      });
    } finally {
      await app.close();
    }
  });
});

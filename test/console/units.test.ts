// The console's figures as people read them (the Health and run pages use these).
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../runtime/limits.ts";
import { formatBytes, formatMegabytes, formatMs, limitRows } from "../../runtime/server/console/units.ts";

describe("console units", () => {
  it("writes sizes in B, KB, MB and GB", () => {
    expect([512, 1536, 10 * 1024 * 1024, 100 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      "512 B",
      "1.5 KB",
      "10 MB",
      "100 MB",
      "3 GB",
    ]);
  });

  it("writes a heap below 1 MB in KB, and an unknown or zero one as a dash", () => {
    expect([0.4, 1, 127.6, 0, null, undefined].map(formatMegabytes)).toEqual([
      "410 KB",
      "1 MB",
      "128 MB",
      "–",
      "–",
      "–",
    ]);
  });

  it("writes durations in ms, s and min", () => {
    expect([0, 250, 1500, 5000, 60_000, 300_000].map(formatMs)).toEqual([
      "0 ms",
      "250 ms",
      "1.5 s",
      "5 s",
      "60 s",
      "5 min",
    ]);
  });

  it("names every default limit in words with its unit, and an unknown one without camelCase", () => {
    const rows = limitRows({ ...DEFAULT_LIMITS, someNewLimitMs: 2000 });
    for (const row of rows) expect(row.label).not.toMatch(/[a-z][A-Z]/);
    expect(rows).toContainEqual({ label: "CPU time of one action", value: "5 s" });
    expect(rows).toContainEqual({ label: "Isolate heap", value: "128 MB" });
    expect(rows).toContainEqual({ label: "Console output of one action", value: "1 MB" });
    expect(rows).toContainEqual({ label: "some new limit ms", value: "2 s" });
  });
});

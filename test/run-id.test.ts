import { validate, version } from "uuid";
import { describe, expect, it } from "vitest";
import { newRunId } from "../runtime/run-id.ts";

describe("newRunId", () => {
  it("makes valid, unique UUIDv7s that sort in the order they were made", () => {
    const ids = Array.from({ length: 20_000 }, () => newRunId());
    for (const id of ids.slice(0, 500)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect(id[19]).toMatch(/[89ab]/); // the RFC 9562 variant
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("starts with the time it was made", () => {
    const before = Date.now();
    const ms = Number.parseInt(newRunId().replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });
});

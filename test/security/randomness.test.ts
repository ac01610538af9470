/**
 * Randomness between users' actions in one warm context (issue 22): Math.random starts every
 * action from a fresh host seed, and `crypto.getRandomValues` / `crypto.randomUUID` are there,
 * fed by the host's CSPRNG. (With fixed seeds, test/security/random-seed.test.ts shows that an
 * action's values depend on its seed alone.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAThenB, startCarryOver } from "../helpers/carry-over.ts";
import type { TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;
beforeAll(async () => {
  t = await startCarryOver();
});
afterAll(() => t.close());

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs `action` as user A then as user B, in the same warm context. */
const twice = <T>(action: string) => asAThenB<T>(t, action);

describe("Math.random", () => {
  it("gives doubles in [0, 1) and a different sequence to the next action of the same context", async () => {
    const [a, b] = await twice<number[]>("random_values");
    for (const values of [a, b]) {
      expect(values).toHaveLength(130);
      for (const value of values) expect(value >= 0 && value < 1).toBe(true);
      expect(new Set(values).size).toBe(130);
    }
    expect(b.filter((value) => a.includes(value))).toEqual([]);
  });
});

interface CryptoReport {
  bytes: number[];
  words: number[];
  same: boolean;
  big: string[];
  signed: number[];
  view: number;
  max: string;
  tooMany: string;
  tooManyWords: string;
  float32: string;
  float64: string;
  dataView: string;
  plain: string;
  uuids: string[];
  frozen: boolean;
}

describe("crypto", () => {
  it("getRandomValues fills integer typed arrays and returns them; randomUUID gives v4 UUIDs", async () => {
    const [a] = await twice<CryptoReport>("crypto_values");
    expect(a.bytes).toHaveLength(16);
    expect(new Set(a.bytes).size).toBeGreaterThan(8);
    expect(a.words).toHaveLength(4);
    expect(a.words.every((word) => word !== 0)).toBe(true);
    expect(a.same).toBe(true);
    expect(a.big).toHaveLength(2);
    expect(a.big.every((value) => BigInt(value) !== 0n)).toBe(true);
    expect(a.signed.some((value) => value < 0)).toBe(true);
    expect(a.view).toBe(4);
    expect(a.uuids[0]).toMatch(UUID_V4);
    expect(a.uuids[1]).toMatch(UUID_V4);
    expect(a.uuids[0]).not.toBe(a.uuids[1]);
    expect(a.frozen).toBe(true);
  });

  it("getRandomValues takes at most 65,536 bytes (QuotaExceededError) and only integer arrays (TypeMismatchError)", async () => {
    const [a] = await twice<CryptoReport>("crypto_values");
    expect(a.max).toBe("accepted");
    expect(a.tooMany).toMatch(/^QuotaExceededError: .*at most 65536 bytes/);
    expect(a.tooManyWords).toMatch(/^QuotaExceededError: /);
    for (const refused of [a.float32, a.float64, a.dataView, a.plain])
      expect(refused).toMatch(/^TypeMismatchError: .*integer typed array/);
  });

  it("the next action of the same context gets other values", async () => {
    const [a, b] = await twice<CryptoReport>("crypto_values");
    expect(b.bytes).not.toEqual(a.bytes);
    expect(b.words).not.toEqual(a.words);
    expect(b.uuids.filter((uuid) => a.uuids.includes(uuid))).toEqual([]);
  });
});

/**
 * What an action's random values depend on, with the host's randomness fixed (mocked): its own
 * seed and nothing else. Two users' actions in one warm context given the same seed see the same
 * Math.random sequence, so nothing of the first action's generator state reaches the second
 * (V8's own Math.random would have continued its sequence). The generator is xoshiro128**: the
 * vectors come from the reference C code (prng.di.unimi.it/xoshiro128starstar.c) with
 * double = ((next() >>> 5) * 2^26 + (next() >>> 6)) / 2^53. UUIDs: RFC 9562 layout of fixed bytes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { asAThenB, runAs, startCarryOver, USER_A, USER_B } from "../helpers/carry-over.ts";
import type { TestRuntime } from "../helpers/runtime.ts";

const host = vi.hoisted(() => ({ seed: "000102030405060708090a0b0c0d0e0f" }));
vi.mock("../../runtime/sandbox/seed.ts", () => ({ actionSeed: () => host.seed }));
// Host bytes 00 01 02 ... ff 00 01 ... for every batch the isolate asks for.
vi.mock("../../runtime/host/random.ts", () => ({
  randomBytesHex: ({ length }: { length: number }) =>
    Array.from({ length }, (_, i) => (i % 256).toString(16).padStart(2, "0")).join(""),
}));

/** xoshiro128** from state 0x00010203 0x04050607 0x08090a0b 0x0c0d0e0f (reference C output). */
const VECTOR = [0.44152246525440231, 0.00070277228685444726, 0.40762872061451638, 0.72655843328343472];

let t: TestRuntime;
beforeAll(async () => {
  t = await startCarryOver();
});
afterAll(() => t.close());

const run = <T>(action: string, user: typeof USER_A) => runAs<T>(t, action, user);

describe("an action's randomness depends on its own seed only", () => {
  it("Math.random: the same seed gives user B exactly user A's sequence, from the reference vector on", async () => {
    host.seed = "000102030405060708090a0b0c0d0e0f";
    const [a, b] = await asAThenB<number[]>(t, "random_values");
    expect(a.slice(0, 4)).toEqual(VECTOR);
    expect(b).toEqual(a);
  });

  it("Math.random: another seed, another sequence", async () => {
    host.seed = "00000001000000020000000300000004";
    const a = await run<number[]>("random_values", USER_A);
    // Reference outputs 11520, 0, 5927040, 70819200 -> (360 * 2^26 + 0) / 2^53, (185220 * 2^26 + 1106550) / 2^53
    expect(a.slice(0, 2)).toEqual([360 / 2 ** 27, (185220 * 2 ** 26 + 1106550) / 2 ** 53]);
  });

  it("crypto: bytes come from the host, each once, and a new action starts on a new batch", async () => {
    const a = await run<{ uuids: string[]; bytes: number[] }>("uuid_values", USER_A);
    expect(a).toEqual({
      uuids: ["00010203-0405-4607-8809-0a0b0c0d0e0f", "10111213-1415-4617-9819-1a1b1c1d1e1f"],
      bytes: [32, 33, 34, 35],
    });
    // User B does not continue user A's batch (the rest of it went away with A's action).
    expect(await run("uuid_values", USER_B)).toEqual(a);
  });
});

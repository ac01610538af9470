/**
 * Math.random of the realm, seeded afresh for every action. V8's own Math.random keeps one
 * xorshift128+ state per isolate: a user who read ~130 values of it in one action recovered the
 * state and predicted the values of the next users' actions in the same warm context. The
 * replacement is xoshiro128** (Blackman & Vigna) whose 128-bit state is overwritten before each
 * action from 16 bytes of host crypto randomness (runtime/sandbox/seed.ts), so what one action
 * sees of it says nothing about the next action's values. The state lives in this closure only;
 * the installed function is frozen with the rest of the realm (harden.ts), and V8's original is
 * no longer referenced from anywhere. Not a CSPRNG (neither is V8's): `crypto` is (crypto.ts).
 */

const parseInteger = Number.parseInt;
const imul = Math.imul;
const SEED_HEX = /^[0-9a-f]{32}$/;
const TWO_POW_26 = 67_108_864;
const TWO_POW_53 = 9_007_199_254_740_992;

/** Replaces Math.random; returns `reseed(hex32)`, called before every action. Run before hardening. */
export function installMathRandom(): (seedHex: string) => void {
  const test = SEED_HEX.test.bind(SEED_HEX);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const next = (): number => {
    const product = imul(s1, 5);
    const result = imul((product << 7) | (product >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  };
  const random = {
    // A method: no `prototype`, not a constructor, like the built-in.
    random(): number {
      const high = next() >>> 5;
      const low = next() >>> 6;
      return (high * TWO_POW_26 + low) / TWO_POW_53;
    },
  }.random;
  Object.defineProperty(Math, "random", {
    value: random,
    writable: true,
    enumerable: false,
    configurable: true,
  });

  return function reseed(seedHex: string): void {
    // Without a good seed the action must not run on the previous action's state.
    if (typeof seedHex !== "string" || !test(seedHex))
      throw new Error("The action's random seed is missing (expected 32 hex digits).");
    s0 = parseInteger(seedHex.slice(0, 8), 16) | 0;
    s1 = parseInteger(seedHex.slice(8, 16), 16) | 0;
    s2 = parseInteger(seedHex.slice(16, 24), 16) | 0;
    s3 = parseInteger(seedHex.slice(24, 32), 16) | 0;
    if ((s0 | s1 | s2 | s3) === 0) s3 = 1; // the one state xoshiro cannot leave
  };
}

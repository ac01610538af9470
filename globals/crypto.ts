/**
 * `crypto.getRandomValues` and `crypto.randomUUID` inside the isolate, as in browsers and Node
 * (the Web Crypto subset that needs no keys). The bytes are the host's CSPRNG (node:crypto),
 * fetched over the bridge in batches so one call is cheap; this module is evaluated afresh for
 * every action (platform-globals.ts), so unused bytes of one action's batch are never handed to
 * the next one.
 */
import { callSync } from "./host-call.ts";

/** The Web Crypto limit per getRandomValues call. */
const MAX_BYTES = 65_536;
/** Bytes fetched from the host at least per call (16 UUIDs). */
const BATCH_BYTES = 256;

const INTEGER_ARRAYS = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "BigInt64Array",
  "BigUint64Array",
]);

// The internal name of a real typed array (undefined for anything else, whatever it claims to be).
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
)!.get!;

/** A DOMException-like error: `name` is the Web Crypto exception name. */
function webCryptoError(name: string, message: string): Error {
  const error = new Error(message);
  Object.defineProperty(error, "name", { value: name, writable: true, configurable: true });
  return error;
}

let pool = new Uint8Array(0);
let used = 0;

function nibble(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

function refill(atLeast: number): void {
  const length = Math.max(atLeast, BATCH_BYTES);
  const hex = callSync("crypto.randomBytes", { length });
  if (typeof hex !== "string" || hex.length !== length * 2)
    throw new Error("crypto: the host returned no random bytes; retry the action.");
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++)
    bytes[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  pool = bytes;
  used = 0;
}

/** Fills `target` with bytes nobody else got (each pool byte is handed out once). */
function fill(target: Uint8Array): void {
  if (pool.length - used < target.length) refill(target.length);
  target.set(pool.subarray(used, used + target.length));
  pool.fill(0, used, used + target.length);
  used += target.length;
}

/** The arrays of ambient.d.ts's `RandomValuesArray` (the type app developers compile against). */
type IntegerArray = RandomValuesArray;

function getRandomValues<T extends IntegerArray>(array: T): T {
  const name = typedArrayName.call(array);
  if (typeof name !== "string" || !INTEGER_ARRAYS.has(name))
    throw webCryptoError(
      "TypeMismatchError",
      "crypto.getRandomValues: pass an integer typed array (Uint8Array, Uint32Array, ...); float arrays and DataView are not accepted.",
    );
  if (array.byteLength > MAX_BYTES)
    throw webCryptoError(
      "QuotaExceededError",
      `crypto.getRandomValues: at most ${MAX_BYTES} bytes per call (this array has ${array.byteLength}); fill it in parts.`,
    );
  fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return array;
}

const HEX = "0123456789abcdef";

function randomUUID(): `${string}-${string}-${string}-${string}-${string}` {
  const bytes = new Uint8Array(16);
  fill(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10xx (RFC 9562)
  let text = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += "-";
    text += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  }
  return text as `${string}-${string}-${string}-${string}-${string}`;
}

export const crypto = { getRandomValues, randomUUID };

/**
 * The per-action seed of the isolate's Math.random (globals/random.ts): 16 bytes of the host's
 * CSPRNG, as 32 hex digits. Cut from a buffer refilled every 256 actions, so an action pays
 * for a slice and not for a call into OpenSSL; each slice is handed out once.
 */
import { randomFillSync } from "node:crypto";

const SEED_BYTES = 16;
const buffer = Buffer.alloc(SEED_BYTES * 256);
let offset = buffer.length;

export function actionSeed(): string {
  if (offset === buffer.length) {
    randomFillSync(buffer);
    offset = 0;
  }
  const seed = buffer.toString("hex", offset, offset + SEED_BYTES);
  offset += SEED_BYTES;
  return seed;
}

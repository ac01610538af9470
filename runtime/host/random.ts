/** Host half of `crypto.getRandomValues` / `crypto.randomUUID` (globals/crypto.ts): CSPRNG bytes as hex. */
import { randomBytes } from "node:crypto";
import { RuntimeError } from "../errors.ts";

/** The Web Crypto limit per getRandomValues call; the isolate never asks for more. */
const MAX_BYTES = 65_536;

export function randomBytesHex({ length }: { length: number }): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_BYTES)
    throw new RuntimeError("bad_request", `crypto: ask for 1 to ${MAX_BYTES} random bytes at a time.`);
  return randomBytes(length).toString("hex");
}

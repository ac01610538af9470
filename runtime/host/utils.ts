/**
 * Host halves of the cheap `Utils` helpers: pure functions, linear in their capped input, no I/O,
 * answered at once. Liquid, htmlToText and CSV can burn CPU far beyond their input's size and run
 * in threads instead (cpu/).
 */
import { createHash, randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { RuntimeError } from "../errors.ts";
import { randomBytesHex } from "./random.ts";

function parseJwt(token: string): Record<string, unknown> {
  try {
    return decodeJwt(String(token).trim()) as Record<string, unknown>;
  } catch {
    throw new RuntimeError(
      "bad_request",
      "Utils.parseJwt: the text is not a JWT (three base64url parts, the middle one a JSON object).",
    );
  }
}

/** The pure host calls, keyed as in the bridge table (shared by every host that runs logic). */
export const pureHostCalls = {
  "utils.sha256": ({ text }: { text: string }) =>
    createHash("sha256").update(String(text), "utf8").digest("hex"),
  "utils.md5": ({ text }: { text: string }) => createHash("md5").update(String(text), "utf8").digest("hex"),
  "utils.guid": () => randomUUID(),
  "utils.toBase64": ({ text }: { text: string }) => Buffer.from(String(text), "utf8").toString("base64"),
  "utils.fromBase64": ({ data }: { data: string }) => Buffer.from(String(data), "base64").toString("utf8"),
  "utils.parseJwt": ({ token }: { token: string }) => parseJwt(token),
  "crypto.randomBytes": randomBytesHex,
};

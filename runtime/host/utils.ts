/** Host halves of `Utils`, `LiquidParser` and `ComindServer.htmlToText`: pure functions, no I/O. */
import { createHash, randomUUID } from "node:crypto";
import { convert } from "html-to-text";
import { decodeJwt } from "jose";
import type { CsvOptions } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import { parseCsvText, writeCsvText } from "./csv.ts";
import { randomBytesHex } from "./random.ts";
import { renderLiquid } from "./liquid.ts";

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

export const hostUtils = {
  sha256: ({ text }: { text: string }) => createHash("sha256").update(String(text), "utf8").digest("hex"),
  md5: ({ text }: { text: string }) => createHash("md5").update(String(text), "utf8").digest("hex"),
  guid: () => randomUUID(),
  htmlToText: ({ html }: { html: string }) => convert(String(html), { wordwrap: false }),
  parseCsv: ({ text, options }: { text: string; options?: CsvOptions }) =>
    parseCsvText(String(text), options),
  writeCsv: ({ rows, options }: { rows: unknown[]; options?: CsvOptions }) => {
    if (!Array.isArray(rows))
      throw new RuntimeError("bad_request", "Utils.writeCsvString: pass an array of rows.");
    return writeCsvText(rows, options);
  },
  toBase64: ({ text }: { text: string }) => Buffer.from(String(text), "utf8").toString("base64"),
  fromBase64: ({ data }: { data: string }) => Buffer.from(String(data), "base64").toString("utf8"),
};

/** The pure host calls, keyed as in the bridge table (shared by every host that runs logic). */
export const pureHostCalls = {
  "utils.sha256": hostUtils.sha256,
  "utils.md5": hostUtils.md5,
  "utils.guid": hostUtils.guid,
  "utils.htmlToText": hostUtils.htmlToText,
  "utils.parseCsv": hostUtils.parseCsv,
  "utils.writeCsv": hostUtils.writeCsv,
  "utils.toBase64": hostUtils.toBase64,
  "utils.fromBase64": hostUtils.fromBase64,
  "utils.parseJwt": ({ token }: { token: string }) => parseJwt(token),
  "crypto.randomBytes": randomBytesHex,
  "liquid.render": ({ template, vars }: { template: string; vars: Record<string, unknown> }) =>
    renderLiquid(template, vars && typeof vars === "object" ? vars : {}),
};

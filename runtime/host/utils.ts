/** Host halves of `Utils` and `ComindServer.htmlToText`: hashing, ids, HTML to text, CSV text. */
import { createHash, randomUUID } from "node:crypto";
import { convert } from "html-to-text";
import type { CsvOptions } from "../../globals/bridge-contract.ts";
import { parseCsvText } from "./csv.ts";

export const hostUtils = {
  sha256: ({ text }: { text: string }) => createHash("sha256").update(String(text), "utf8").digest("hex"),
  guid: () => randomUUID(),
  htmlToText: ({ html }: { html: string }) => convert(String(html), { wordwrap: false }),
  parseCsv: ({ text, options }: { text: string; options?: CsvOptions }) =>
    parseCsvText(String(text), options),
  toBase64: ({ text }: { text: string }) => Buffer.from(String(text), "utf8").toString("base64"),
  fromBase64: ({ data }: { data: string }) => Buffer.from(String(data), "base64").toString("utf8"),
};

/** The pure Utils host calls, keyed as in the bridge table (shared by every host that runs logic). */
export const pureHostCalls = {
  "utils.sha256": hostUtils.sha256,
  "utils.guid": hostUtils.guid,
  "utils.htmlToText": hostUtils.htmlToText,
  "utils.parseCsv": hostUtils.parseCsv,
  "utils.toBase64": hostUtils.toBase64,
  "utils.fromBase64": hostUtils.fromBase64,
};

/**
 * Host work that burns CPU in proportion to untrusted input (a template, markup, CSV), run in a
 * worker thread (pool.ts): a Liquid filter over a huge array or deeply nested lists can take
 * minutes, and on an event loop that would stall every other action there. Each export is one
 * task: plain data in, { ok } or { error: { code, message } } out. Libraries load on first use.
 */
import type { CsvOptions } from "../../../globals/bridge-contract.ts";
import { reply } from "../thread-reply.ts";

export type { TaskReply } from "../thread-reply.ts";

export const liquid = ({ template, vars }: { template: string; vars: Record<string, unknown> }) =>
  reply(async () => (await import("../liquid.ts")).renderLiquid(template, vars));
export const htmlToText = ({ html, wordwrap }: { html: string; wordwrap: number | false }) =>
  reply(async () => (await import("../html-text.ts")).htmlToText(html, wordwrap));
export const parseCsv = ({ text, options }: { text: string; options?: CsvOptions }) =>
  reply(async () => (await import("../csv.ts")).parseCsvText(text, options));
export const writeCsv = ({ rows, options }: { rows: unknown[]; options?: CsvOptions }) =>
  reply(async () => (await import("../csv.ts")).writeCsvText(rows, options));

/**
 * Host calls whose work burns CPU on untrusted input (Liquid, HTML to text, CSV), bound to one
 * action: they run in CpuPool threads under the action's deadline and CPU limit (pool.ts).
 */
import type { CsvOptions } from "../../../globals/bridge-contract.ts";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import type { CpuBudget, CpuPool } from "./pool.ts";

export { CpuBudget, CpuPool, type CpuTask } from "./pool.ts";

/** The CPU-heavy helpers of one action (or of one precondition check, or one e-mail). */
export function cpuWork(pool: CpuPool, bound: { budget: CpuBudget; signal?: AbortSignal }) {
  return {
    liquid: (template: string, vars: Record<string, unknown>) =>
      pool.run<string>(
        "liquid",
        { template: String(template), vars: vars && typeof vars === "object" ? vars : {} },
        { ...bound, caller: "LiquidParser.parse", capMs: CONTENT_LIMITS.liquidThreadMs },
      ),
    htmlToText: (html: string, wordwrap: number | false = false) =>
      pool.run<string>("htmlToText", { html: String(html), wordwrap }, { ...bound, caller: "htmlToText" }),
    parseCsv: (text: string, options: CsvOptions | undefined, caller: string) =>
      pool.run<unknown[]>("parseCsv", { text: String(text), options }, { ...bound, caller }),
    writeCsv: (rows: unknown[], options: CsvOptions | undefined, caller: string) => {
      if (!Array.isArray(rows)) throw new RuntimeError("bad_request", `${caller}: pass an array of rows.`);
      return pool.run<string>("writeCsv", { rows, options }, { ...bound, caller });
    },
  };
}

export type CpuWork = ReturnType<typeof cpuWork>;

/** The bridge's entries for them, keyed as in runtime/sandbox/bridge.ts. */
export function cpuHostCalls(work: CpuWork) {
  return {
    "liquid.render": ({ template, vars }: { template: string; vars: Record<string, unknown> }) =>
      work.liquid(template, vars),
    "utils.htmlToText": ({ html }: { html: string }) => work.htmlToText(html),
    "utils.parseCsv": ({ text, options }: { text: string; options?: CsvOptions }) =>
      work.parseCsv(text, options, "Utils.parseCsvString"),
    "utils.writeCsv": ({ rows, options }: { rows: unknown[]; options?: CsvOptions }) =>
      work.writeCsv(rows, options, "Utils.writeCsvString"),
  };
}

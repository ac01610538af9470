/**
 * `LiquidParser` inside the isolate: Liquid templates rendered by liquidjs in a host thread under
 * the action's deadline, with a render-time limit and an output cap (docs/admins.md, "Limits"). Templates
 * cannot read files.
 *
 * @example
 *   LiquidParser.parse("Hello {{ name | upcase }}, {{ Vars.items | size }} items", { name: "Ada", items: [1, 2] })
 *   // "Hello ADA, 2 items"
 */
import type { JsonRecord } from "./bridge-contract.ts";
import { callAsync, safeJson } from "./host-call.ts";

export const LiquidParser = {
  /** Renders `template` with `vars`; each var is reachable as `{{ name }}` and as `{{ Vars.name }}`. */
  parse(template: string, vars: JsonRecord = {}): string {
    if (typeof template !== "string") throw new TypeError("LiquidParser.parse: pass the template text.");
    // Dates and other objects become their JSON form, as they would in any JSON document.
    const plain = safeJson.parse(safeJson.stringify(vars ?? {}) ?? "{}");
    return callAsync("liquid.render", { template, vars: plain });
  },
};

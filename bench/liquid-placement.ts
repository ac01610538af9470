/**
 * Where should LiquidParser.parse run? Measures the same template rendered (a) on the host through
 * one sync host call from an isolate, as the runtime does, and (b) by liquidjs loaded INSIDE the
 * isolate, plus what (b) costs every new isolate (compiling ~125 KB of library). docs/app-developers.md, "Documents, templates and e-mail".
 *
 *   node --no-node-snapshot bench/liquid-placement.ts
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ivm from "isolated-vm";
import { renderLiquid } from "../runtime/host/liquid.ts";
import { median, round } from "./stats.ts";

const RUNS = 300;
const TEMPLATE =
  "<h1>Report {{ number }}</h1><table>{% for p in parts %}<tr><td>{{ p.sku }}</td><td>{{ p.name | escape }}</td><td>{{ p.qty | times: p.price }}</td></tr>{% endfor %}</table>";
const VARS = {
  number: 7,
  parts: Array.from({ length: 50 }, (_, i) => ({ sku: `S-${i}`, name: `Part <${i}>`, qty: i, price: 1.5 })),
};
const library = readFileSync(
  createRequire(import.meta.url).resolve("liquidjs/dist/liquid.browser.min.js"),
  "utf8",
);

function timeLoop(fn: () => void): number[] {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function hostSide() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const render = new ivm.Callback((template: string, varsJson: string) =>
    renderLiquid(template, JSON.parse(varsJson)),
  );
  await context.global.set("hostRender", render);
  const fn = await context.eval(`(function (t, v) { return hostRender(t, JSON.stringify(v)); })`, {
    reference: true,
  });
  const samples = timeLoop(() => fn.applySync(undefined, [TEMPLATE, VARS], { arguments: { copy: true } }));
  isolate.dispose();
  return median(samples);
}

async function inIsolate() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const setupStart = performance.now();
  const script = await isolate.compileScript(`${library}\n;globalThis.engine = new liquidjs.Liquid();`);
  await script.run(context);
  const setupMs = performance.now() - setupStart;
  const heapMb = (await isolate.getHeapStatistics()).used_heap_size / 1024 / 1024;
  const fn = await context.eval(`(function (t, v) { return engine.parseAndRenderSync(t, v); })`, {
    reference: true,
  });
  const samples = timeLoop(() => fn.applySync(undefined, [TEMPLATE, VARS], { arguments: { copy: true } }));
  isolate.dispose();
  return { renderMs: median(samples), setupMs, heapMb };
}

const host = await hostSide();
const inside = await inIsolate();
const check = renderLiquid(TEMPLATE, VARS).length;
console.log(
  JSON.stringify(
    {
      outputChars: check,
      hostCallRenderMsP50: round(host),
      inIsolateRenderMsP50: round(inside.renderMs),
      inIsolateSetupMsPerIsolate: round(inside.setupMs),
      inIsolateHeapMb: round(inside.heapMb),
    },
    null,
    2,
  ),
);

/**
 * `LiquidParser.parse(template, vars)`: liquidjs on the host with its parse, render-time and
 * memory limits plus an output cap. Templates cannot read files: `include` / `render` / `layout`
 * of a file fail, whatever the path.
 */
import { Liquid, type FS } from "liquidjs";
import { RuntimeError } from "../errors.ts";
import { CONTENT_LIMITS } from "./content-limits.ts";

const noFiles = (file: string): never => {
  throw new RuntimeError("forbidden", `Liquid templates cannot read files ("${String(file).slice(0, 80)}").`);
};

const NO_FILE_SYSTEM: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => noFiles(file),
  readFileSync: (file) => noFiles(file),
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

const engine = new Liquid({
  fs: NO_FILE_SYSTEM,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  ownPropertyOnly: true,
  parseLimit: CONTENT_LIMITS.liquidTemplateChars,
  renderLimit: CONTENT_LIMITS.liquidRenderMs,
  memoryLimit: CONTENT_LIMITS.liquidMemory,
});

/** Renders a Liquid template; `vars` are reachable at the top level and as `Vars.`. */
export function renderLiquid(template: string, vars: Record<string, unknown> = {}): string {
  let output: string;
  try {
    output = engine.parseAndRenderSync(String(template), { ...vars, Vars: vars });
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    const message = String((error as Error).message ?? error).split("\n")[0];
    if (/Failed to lookup/.test(message)) noFiles(/"([^"]*)"/.exec(message)?.[1] ?? "");
    const limit = /limit exceeded/i.test(message);
    throw new RuntimeError(
      limit ? "limit_exceeded" : "bad_request",
      limit
        ? `LiquidParser.parse went over a limit (${message}); templates get ${CONTENT_LIMITS.liquidRenderMs} ms and ${CONTENT_LIMITS.liquidTemplateChars} characters.`
        : `LiquidParser.parse: the template is not valid Liquid: ${message}`,
    );
  }
  if (output.length > CONTENT_LIMITS.liquidOutputChars)
    throw new RuntimeError(
      "limit_exceeded",
      `LiquidParser.parse produced ${output.length} characters; the limit is ${CONTENT_LIMITS.liquidOutputChars}.`,
    );
  return output;
}

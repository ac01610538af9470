/**
 * `check`: which logic and precondition functions are `async`. Action logic must be synchronous
 * (the platform's globals block instead of returning promises), and at run time an async
 * function is refused; `check` finds them before anyone runs the action. The logic bundle is
 * evaluated in a throwaway isolate with no platform globals, so app code never runs on the host.
 */
import ivm from "isolated-vm";

const LIST_ASYNC = `;(() => {
  const app = typeof __comindApp === "object" && __comindApp ? __comindApp : {};
  const fns = (mod) => {
    const value = mod && typeof mod === "object" && "default" in mod ? mod.default : mod;
    return value && typeof value === "object" ? Object.entries(value) : [];
  };
  const isAsync = (fn) => typeof fn === "function" && /^Async/.test(fn.constructor && fn.constructor.name);
  return JSON.stringify([
    ...fns(app.logic).filter(([, fn]) => isAsync(fn)).map(([name]) => name),
    ...fns(app.preconditions).filter(([, fn]) => isAsync(fn)).map(([name]) => "precondition " + name),
  ]);
})()`;

/** Names of async action functions (and "precondition <uid>"); empty when none or undecidable. */
export async function asyncLogicFunctions(logicCode: string): Promise<string[]> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = await isolate.createContext();
    await context.eval("globalThis.__comindEnv = {};");
    const script = await isolate.compileScript(`${logicCode}\n${LIST_ASYNC}`);
    const json = await script.run(context, { timeout: 2_000, copy: true });
    const names: unknown = JSON.parse(String(json));
    return Array.isArray(names) ? names.map(String).slice(0, 50) : [];
  } catch {
    // Module code that needs the platform globals at load time: the run itself will refuse async logic.
    return [];
  } finally {
    isolate.dispose();
  }
}

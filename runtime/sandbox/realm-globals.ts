/**
 * Which globals action logic cannot use, derived rather than listed: the names on Node's
 * globalThis (what an app developer is used to: fetch, setTimeout, Buffer, URL, process, ...)
 * that the action realm does not have, read from a real context set up exactly as for an action
 * (globals/bootstrap.ts: platform globals, WebAssembly removed, the realm hardened), plus the
 * names the realm holds only as "not available" stubs (globals/not-available.ts). The build
 * refuses a use of any of them with its file:line (bundle/refused-globals.ts), so `check` and
 * `run` agree with what the sandbox does at run time.
 */
import ivm from "isolated-vm";
import { NOT_AVAILABLE } from "../../globals/not-available.ts";
import { globalsScript } from "../bundle/index.ts";
import { disposeQuietly, isolateScript } from "./isolate-pool.ts";

// esbuild resolves `require("x")` calls itself (bundled, or a build error); only its stub is left.
const RESOLVED_BY_THE_BUNDLER = new Set(["require"]);

let cached: Promise<string[]> | null = null;

/** Own property names of globalThis in a freshly set-up, hardened action realm. */
async function actionRealmGlobals(): Promise<Set<string>> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = await isolate.createContext();
    const { code } = isolateScript(await globalsScript(), "var __comindApp = {};");
    const connect: ivm.Reference = await (await isolate.compileScript(code)).run(context, {
      reference: true,
      timeout: 10_000,
    });
    // The transports are never called: no action runs in this context.
    const noAction = () => JSON.stringify({ error: { code: "internal_error", message: "No action." } });
    await connect.apply(undefined, [new ivm.Callback(noAction), new ivm.Reference(noAction)], {
      timeout: 10_000,
      result: { reference: true },
    });
    const names = await context.eval("JSON.stringify(Object.getOwnPropertyNames(globalThis))", {
      timeout: 10_000,
      copy: true,
    });
    return new Set(JSON.parse(String(names)) as string[]);
  } finally {
    disposeQuietly(isolate);
  }
}

/** Global names a use of which fails at run time; computed once per process. */
export function refusedGlobalNames(): Promise<string[]> {
  cached ??= actionRealmGlobals().then(
    (realm) =>
      [
        ...Object.getOwnPropertyNames(globalThis).filter((name) => !realm.has(name)),
        ...Object.keys(NOT_AVAILABLE),
      ]
        .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && !RESOLVED_BY_THE_BUNDLER.has(name))
        .sort(),
    (error) => {
      cached = null; // a failure (e.g. no memory for the isolate) is not remembered
      throw error;
    },
  );
  return cached;
}

/**
 * Entry of the globals bundle. The isolate script (runtime/sandbox/isolate-pool.ts) wraps this
 * bundle in a factory, `freshGlobals()`, and evaluates it twice over:
 *
 * - once per context, `setupRealm` -> `connect(syncCallback, asyncRef)`: keeps the two host
 *   transports in closures, defines one getter on globalThis per platform global, removes what
 *   action logic must not have, then hardens the realm (harden.ts) so nothing app code does can
 *   outlive its action. It returns `start`.
 * - once per action, `start(initJson, seedHex, clockJson)`: the clock's mode set (clock.ts: the
 *   real time, or a recorded run's readings kept, or a replayed run's given back), Math.random reseeded from the host's 16 random
 *   bytes (random.ts), a new `freshGlobals()` instance (every module-level variable of the
 *   globals is new), the action's init document, then the app's module factory (`loadApp`, also
 *   evaluated afresh) and the action itself; one JSON string comes back.
 *
 * Nothing of this is left on globalThis.
 */
import type { ActionInit } from "./bridge-contract.ts";
import { setVars } from "./app-settings.ts";
import { setActionInit } from "./entity.ts";
import { setJobInit } from "./job.ts";
import { hardenRealm } from "./harden.ts";
import { installMathRandom } from "./random.ts";
import { type ClockMode, installClock } from "./clock.ts";
import { NOT_AVAILABLE } from "./not-available.ts";
import { bindTransports, safeJson, type AsyncTransport, type SyncTransport } from "./host-call.ts";
import { PLATFORM_GLOBAL_NAMES, platformGlobals, type PlatformGlobals } from "./platform-globals.ts";
import { createRunner } from "./runner.ts";

const reflectApply = Reflect.apply;
const defineProperty = Object.defineProperty;
const nullProto = <T extends object>(fields: T): T =>
  Object.freeze(Object.assign(Object.create(null), fields));

// isolated-vm reads option objects through the prototype chain: options with no prototype
// cannot be changed by a script that pollutes Object.prototype (e.g. `result: { reference: true }`).
// Arguments and results are strings, which always cross as copies.
const APPLY_OPTIONS = nullProto({ arguments: nullProto({ copy: true }) });

interface HostReference {
  applySyncPromise(receiver: undefined, args: unknown[], options: object): unknown;
}

interface Transports {
  sync: SyncTransport;
  async: AsyncTransport;
}

/** What one evaluation of the globals bundle exports (see runtime/sandbox/isolate-pool.ts). */
export interface GlobalsInstance {
  setupRealm: typeof setupRealm;
  beginAction: typeof beginAction;
}

function notAvailable(name: string, instead: string) {
  return () => {
    throw new Error(`${name} is not available in action logic: use ${instead}.`);
  };
}

function installConstant(name: string, value: unknown): void {
  defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
}

/** Per action, in a fresh instance of the globals: binds the transports, reads the init document. */
export function beginAction(transports: Transports, initJson: string) {
  bindTransports(transports.sync, transports.async);
  const init = safeJson.parse(initJson) as ActionInit;
  setActionInit(init);
  setJobInit(init);
  setVars(init.vars ?? {});
  return { globals: platformGlobals(), run: (loadApp: () => unknown) => createRunner(init, loadApp)() };
}

/** Once per context: returns `connect`, which hardens the realm and returns the per-action `start`. */
export function setupRealm(freshGlobals: () => GlobalsInstance, loadApp: () => unknown) {
  return function connect(
    syncCallback: (name: string, argJson: string) => string,
    asyncRef: HostReference,
  ): (initJson: string, seedHex: string, clockJson?: string) => string {
    const applySyncPromise = asyncRef.applySyncPromise;
    const transports: Transports = {
      sync: (name, argJson) => reflectApply(syncCallback, undefined, [name, argJson]) as string,
      async: (name, argJson) =>
        reflectApply(applySyncPromise, asyncRef, [undefined, [name, argJson], APPLY_OPTIONS]) as string,
    };
    let current: PlatformGlobals | null = null;
    for (const name of PLATFORM_GLOBAL_NAMES) {
      defineProperty(globalThis, name, {
        get: () => (current === null ? undefined : current[name]),
        configurable: false,
        enumerable: false,
      });
    }
    for (const [name, { call, instead }] of Object.entries(NOT_AVAILABLE))
      installConstant(name, notAvailable(call, instead));
    // WebAssembly.Memory grows outside the isolate's heap limit.
    delete (globalThis as Record<string, unknown>).WebAssembly;
    const reseedMathRandom = installMathRandom();
    const clock = installClock();
    hardenRealm();

    return function start(initJson: string, seedHex: string, clockJson?: string): string {
      reseedMathRandom(seedHex);
      clock.begin(clockJson ? (safeJson.parse(clockJson) as ClockMode) : "real");
      const action = freshGlobals().beginAction(transports, initJson);
      current = action.globals;
      try {
        const reply = action.run(loadApp);
        const readings = clock.end();
        // The runner's reply is one JSON object: a recorded run's readings go in as `clock`.
        return readings === null ? reply : `${reply.slice(0, -1)},"clock":${safeJson.stringify(readings)}}`;
      } finally {
        clock.end();
        current = null;
      }
    };
  };
}

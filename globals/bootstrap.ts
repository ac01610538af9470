/**
 * Runs first in every fresh context, before any app code. The isolate script (see
 * runtime/sandbox/isolate-pool.ts) evaluates to a function the host calls once per action with
 * the two transports, the action's init document and the app loader. It captures the transports
 * in closures, installs the platform globals, removes what action logic must not have, loads the
 * app bundle and runs the action, returning one JSON string. Nothing of it is left on globalThis.
 */
import type { ActionInit } from "./bridge-contract.ts";
import { bindTransports, safeJson } from "./host-call.ts";
import { RestApi } from "./rest-api.ts";
import { Files } from "./files.ts";
import { AppSchema, getSecrets, setVars } from "./app-settings.ts";
import { ComindServer } from "./comind-server.ts";
import { Utils } from "./utils.ts";
import { createConsole } from "./console.ts";
import { currentEntity, currentEntityOld, currentUser, setActionInit } from "./entity.ts";
import { createRunner } from "./runner.ts";

const reflectApply = Reflect.apply;
const nullProto = <T extends object>(fields: T): T =>
  Object.freeze(Object.assign(Object.create(null), fields));

// isolated-vm reads option objects through the prototype chain: options with no prototype
// cannot be changed by a script that pollutes Object.prototype (e.g. `result: { reference: true }`).
// Arguments and results are strings, which always cross as copies.
const APPLY_OPTIONS = nullProto({ arguments: nullProto({ copy: true }) });

interface HostReference {
  applySyncPromise(receiver: undefined, args: unknown[], options: object): unknown;
}

/** A platform global: neither it nor its methods can be replaced by app code. */
function install(name: string, value: object): void {
  Object.defineProperty(globalThis, name, {
    value: Object.freeze(value),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

function notAvailable(name: string, instead: string) {
  return () => {
    throw new Error(`${name} is not available in action logic: use ${instead}.`);
  };
}

export function bootstrap(
  syncCallback: (name: string, argJson: string) => string,
  asyncRef: HostReference,
  initJson: string,
  loadApp: () => unknown,
): string {
  const applySyncPromise = asyncRef.applySyncPromise;
  bindTransports(
    (name, argJson) => reflectApply(syncCallback, undefined, [name, argJson]) as string,
    (name, argJson) =>
      reflectApply(applySyncPromise, asyncRef, [undefined, [name, argJson], APPLY_OPTIONS]) as string,
  );
  const init = safeJson.parse(initJson) as ActionInit;
  setActionInit(init);
  setVars(init.vars ?? {});

  install("RestApi", RestApi);
  install("Files", Files);
  install("AppSchema", AppSchema);
  install("ComindServer", ComindServer);
  install("Utils", Utils);
  install("console", createConsole());
  Object.defineProperty(globalThis, "entity", { get: currentEntity, configurable: false, enumerable: false });
  Object.defineProperty(globalThis, "entityOld", {
    get: currentEntityOld,
    configurable: false,
    enumerable: false,
  });
  Object.defineProperty(globalThis, "currentUser", {
    get: currentUser,
    configurable: false,
    enumerable: false,
  });
  // `process.env.X` in app code is compiled to `__comindEnv.X`: only declared secrets have values.
  install(
    "__comindEnv",
    new Proxy(Object.create(null), {
      get: (_target, key) => (typeof key === "string" ? getSecrets()[key] : undefined),
    }),
  );
  install("fetch", notAvailable("fetch()", "RestApi"));
  install("XMLHttpRequest", notAvailable("XMLHttpRequest", "RestApi"));
  install("require", notAvailable("require()", "import at the top of the file"));
  // WebAssembly.Memory grows outside the isolate's heap limit.
  delete (globalThis as any).WebAssembly;
  return createRunner(init, loadApp)();
}

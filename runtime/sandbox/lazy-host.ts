/**
 * A run's host table built the first time it is needed. Most runs make no host call: a run in a
 * sandbox worker then looks up only `app.secrets` on the server (its secrets go with the run
 * message; actions/logic-run.ts) and nothing in the worker (worker/worker-main.ts), yet both
 * built their table's dozens of closures per action (~25 µs on the server's main thread, ~10 µs
 * in the worker, measured with bench/floor.ts). `ready` answers the calls it holds without
 * building; they must be the very functions the built table would hold. Any other look-up, `in`
 * or listing builds the table once; `buildNow` builds it at once (a table that must capture
 * something of the moment it is made).
 */
import type { HostFunctions } from "../host-functions.ts";

export function lazyHostTable(
  ready: Partial<HostFunctions>,
  build: () => HostFunctions,
  buildNow = false,
): HostFunctions {
  let table = buildNow ? build() : undefined;
  const built = () => {
    table ??= build();
    return table;
  };
  return new Proxy({} as HostFunctions, {
    get: (_, name) =>
      typeof name === "string" && Object.hasOwn(ready, name)
        ? ready[name as keyof HostFunctions]
        : Reflect.get(built(), name),
    has: (_, name) => Reflect.has(built(), name),
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor: (_, name) => Reflect.getOwnPropertyDescriptor(built(), name),
  });
}

/**
 * Baseline for the benchmarks: the same globals and app bundle run in a node:vm context (no
 * isolation, no separate heap) with the same bridge and host functions. Only synchronous host
 * calls are possible there, which is enough for the trivial-logic benchmark.
 */
import vm from "node:vm";
import { createBridge } from "../runtime/sandbox/bridge.ts";
import { isolateScript } from "../runtime/sandbox/isolate-pool.ts";
import { actionSeed } from "../runtime/sandbox/seed.ts";
import type { IsolatePool, SandboxOutcome, SandboxRun } from "../runtime/sandbox/index.ts";

/** node:vm's global object cannot be frozen, so the baseline runs without the realm hardening. */
function withoutHardening(globalsCode: string): string {
  const call = /\bhardenRealm\(\);/;
  if (!call.test(globalsCode)) throw new Error("node:vm baseline: the hardenRealm() call was not found");
  return globalsCode.replace(call, "/* hardening skipped in the node:vm baseline */");
}

export function createNodeVmExecutor(globalsCode: string) {
  const scripts = new Map<string, vm.Script>();
  return async (_pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> => {
    const bridge = createBridge(run.host, {
      checkDeadline: () => undefined,
      describeError: run.describeError,
    });
    let script = scripts.get(run.app.key);
    if (!script) {
      script = new vm.Script(isolateScript(withoutHardening(globalsCode), run.app.logicCode).code);
      scripts.set(run.app.key, script);
    }
    const context = vm.createContext({});
    const noAsync = {
      applySyncPromise: () => {
        throw new Error("async host calls are not part of the node:vm baseline");
      },
    };
    const connect = script.runInContext(context);
    const start = connect((name: string, json: string) => bridge.dispatchSync(name, json), noAsync);
    const reply = JSON.parse(start(JSON.stringify(run.init), actionSeed()));
    if (!reply.ok || !reply.allowed)
      return { ok: false, error: { code: "logic_error", message: reply.error.message, stack: "" }, cpuMs: 0 };
    return { ok: true, ran: reply.ran, entity: JSON.parse(reply.entityJson), cpuMs: 0 };
  };
}

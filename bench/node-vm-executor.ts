/**
 * Baseline for the benchmarks: the same globals and app bundle run in a node:vm context (no
 * isolation, no separate heap) with the same bridge and host functions. Only synchronous host
 * calls are possible there, which is enough for the trivial-logic benchmark.
 */
import vm from "node:vm";
import { createBridge } from "../runtime/sandbox/bridge.ts";
import type { IsolatePool, SandboxOutcome, SandboxRun } from "../runtime/sandbox/index.ts";

export function createNodeVmExecutor(globalsCode: string) {
  const globals = new vm.Script(globalsCode);
  const logicScripts = new Map<string, vm.Script>();
  return async (_pool: IsolatePool, run: SandboxRun): Promise<SandboxOutcome> => {
    const bridge = createBridge(run.host, { checkDeadline: () => undefined, describeError: run.describeError });
    const context = vm.createContext({});
    globals.runInContext(context);
    const noAsync = { applySyncPromise: () => { throw new Error("async host calls are not part of the node:vm baseline"); } };
    const runner = context.__comindBootstrap((name: string, json: string) => bridge.dispatchSync(name, json), noAsync, JSON.stringify(run.init));
    let logic = logicScripts.get(run.app.key);
    if (!logic) logicScripts.set(run.app.key, (logic = new vm.Script(run.app.logicCode)));
    logic.runInContext(context);
    const gate = JSON.parse(runner("precondition"));
    if (!gate.ok || !gate.allowed) return { ok: false, error: { code: "precondition_failed", message: "denied", stack: "" }, cpuMs: 0 };
    const reply = JSON.parse(runner("action"));
    if (!reply.ok) return { ok: false, error: { code: "logic_error", message: reply.error.message, stack: "" }, cpuMs: 0 };
    return { ok: true, ran: reply.ran, entity: JSON.parse(reply.entityJson), cpuMs: 0 };
  };
}

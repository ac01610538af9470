/**
 * The warm context of one isolate: created once, hardened once by the globals' `connect`
 * (globals/bootstrap.ts), then reused by every action that leases the isolate. The two host
 * transports are made once per isolate and routed to the bridge of the action running now; with
 * no action running they answer with an error. A context whose action ended in a way the host
 * could not read is discarded and the next action gets a new one (an isolate that hit a limit or
 * failed on the host side is disposed altogether, see execute.ts).
 */
import ivm from "isolated-vm";
import type { createBridge } from "./bridge.ts";

type Bridge = ReturnType<typeof createBridge>;

export interface IsolateLease {
  isolate: ivm.Isolate;
  /** Globals + app bundle; evaluates to `connect` (see isolateScript). */
  script: ivm.Script;
  /** Lines of the script before the app bundle starts. */
  appLineOffset: number;
  runs: number;
  /** Used heap at the last sample (MB). */
  heapMb: number;
  /** When the heap was last sampled (performance.now()). */
  heapSampledAt: number;
  /** When it went back to the pool (ms since epoch). */
  idleSince: number;
  /** The bridge of the action running in this isolate, or null between actions. */
  route: { bridge: Bridge | null };
  transports: { sync: ivm.Callback; async: ivm.Reference };
  context: ivm.Context | null;
  /** `start(initJson)` of the warm context. */
  start: ivm.Reference | null;
}

const NO_ACTION = JSON.stringify({ error: { code: "internal_error", message: "No action is running." } });

export function newLease(isolate: ivm.Isolate, script: ivm.Script, appLineOffset: number): IsolateLease {
  const route: IsolateLease["route"] = { bridge: null };
  return {
    isolate,
    script,
    appLineOffset,
    runs: 0,
    heapMb: 0,
    heapSampledAt: 0,
    idleSince: 0,
    route,
    transports: {
      sync: new ivm.Callback((name: unknown, argJson: unknown) =>
        route.bridge ? route.bridge.dispatchSync(name, argJson) : NO_ACTION,
      ),
      async: new ivm.Reference((name: unknown, argJson: unknown) =>
        route.bridge ? route.bridge.dispatchAsync(name, argJson) : Promise.resolve(NO_ACTION),
      ),
    },
    context: null,
    start: null,
  };
}

/** Creates and hardens the context if the lease has none (first use, or after a failure). */
export async function ensureContext(lease: IsolateLease, timeoutMs: number): Promise<ivm.Reference> {
  if (lease.start) return lease.start;
  const context = await lease.isolate.createContext();
  try {
    const connect: ivm.Reference = await lease.script.run(context, { timeout: timeoutMs, reference: true });
    const start: ivm.Reference = await connect.apply(
      undefined,
      [lease.transports.sync, lease.transports.async],
      { timeout: timeoutMs, result: { reference: true } },
    );
    connect.release();
    lease.context = context;
    lease.start = start;
    return start;
  } catch (error) {
    context.release();
    throw error;
  }
}

/** Drops the context (a failed action ran in it); the isolate itself stays warm. */
export function discardContext(lease: IsolateLease): void {
  const { context, start } = lease;
  lease.context = null;
  lease.start = null;
  if (lease.isolate.isDisposed) return;
  start?.release();
  context?.release();
}

/**
 * The only door from the isolate to the host. The transport functions are handed in once by the
 * bootstrap and kept in this module's closure: user code never sees them on globalThis.
 * JSON and Reflect are captured before user code runs, so patching them later changes nothing here.
 */
import type {
  AsyncCallName,
  AsyncHostCalls,
  HostReply,
  SyncCallName,
  SyncHostCalls,
} from "./bridge-contract.ts";

export type SyncTransport = (name: string, argJson: string) => string;
export type AsyncTransport = (name: string, argJson: string) => string;

const jsonParse = JSON.parse;
const jsonStringify = JSON.stringify;
const ErrorCtor = Error;
const defineProperty = Object.defineProperty;

let syncTransport: SyncTransport | null = null;
let asyncTransport: AsyncTransport | null = null;

export function bindTransports(sync: SyncTransport, async: AsyncTransport): void {
  if (syncTransport) throw new ErrorCtor("host transports are already bound");
  syncTransport = sync;
  asyncTransport = async;
}

function unwrap<T>(replyJson: string): T {
  const reply = jsonParse(replyJson) as HostReply<T>;
  if ("error" in reply) {
    const error = new ErrorCtor(reply.error.message);
    defineProperty(error, "code", { value: reply.error.code, enumerable: true });
    throw error;
  }
  return reply.ok;
}

/** Cheap host call (no I/O): answered at once on the host thread. */
export function callSync<N extends SyncCallName>(
  name: N,
  arg: SyncHostCalls[N]["arg"],
): SyncHostCalls[N]["result"] {
  return unwrap(syncTransport!(name, jsonStringify(arg)));
}

/** Host call that does I/O: the isolate blocks while the host awaits it. */
export function callAsync<N extends AsyncCallName>(
  name: N,
  arg: AsyncHostCalls[N]["arg"],
): AsyncHostCalls[N]["result"] {
  return unwrap(asyncTransport!(name, jsonStringify(arg)));
}

export const safeJson = { parse: jsonParse, stringify: jsonStringify };

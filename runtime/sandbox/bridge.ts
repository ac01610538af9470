/**
 * THE table of host functions that cross the isolate boundary (contract: globals/bridge-contract.ts).
 * For each: sync (ivm.Callback, no I/O) or async (applySyncPromise), and the largest argument the
 * host accepts. Nothing else is callable from the isolate.
 */
import type { AsyncCallName, SyncCallName } from "../../globals/bridge-contract.ts";
import { type ErrorCode, RuntimeError } from "../errors.ts";
import type { HostFunctions } from "../host-functions.ts";
import { parseFromIsolate } from "./marshal.ts";

const KB = 1024;
const MB = 1024 * KB;

export const SYNC_CALLS: Record<SyncCallName, { maxArgBytes: number }> = {
  "console.write": { maxArgBytes: 1 * MB },
  "utils.sha256": { maxArgBytes: 16 * MB },
  "utils.guid": { maxArgBytes: KB },
  "utils.toBase64": { maxArgBytes: 16 * MB },
  "utils.fromBase64": { maxArgBytes: 16 * MB },
  "app.secrets": { maxArgBytes: KB },
  "utils.md5": { maxArgBytes: 16 * MB },
  "utils.parseJwt": { maxArgBytes: 64 * KB },
  "app.schema": { maxArgBytes: KB },
  "crypto.randomBytes": { maxArgBytes: KB },
};

export const ASYNC_CALLS: Record<AsyncCallName, { maxArgBytes: number }> = {
  // CPU-heavy work on untrusted input: a host thread under the action's deadline (host/cpu/).
  "liquid.render": { maxArgBytes: 4 * MB },
  "utils.htmlToText": { maxArgBytes: 16 * MB },
  "utils.parseCsv": { maxArgBytes: 16 * MB },
  "utils.writeCsv": { maxArgBytes: 16 * MB },
  "http.execute": { maxArgBytes: 12 * MB },
  "http.download": { maxArgBytes: 1 * MB },
  "files.getRef": { maxArgBytes: KB },
  "files.persist": { maxArgBytes: KB },
  "files.readBase64": { maxArgBytes: KB },
  "files.fromBase64": { maxArgBytes: 16 * MB },
  "files.readCsv": { maxArgBytes: 4 * KB },
  "files.writeCsv": { maxArgBytes: 16 * MB },
  "records.import": { maxArgBytes: 32 * MB },
  "records.query": { maxArgBytes: 64 * KB },
  "records.get": { maxArgBytes: KB },
  "records.find": { maxArgBytes: 64 * KB },
  "records.create": { maxArgBytes: 4 * MB },
  "records.update": { maxArgBytes: 4 * MB },
  "records.delete": { maxArgBytes: KB },
  "records.bulkCreate": { maxArgBytes: 32 * MB },
  "records.bulkDelete": { maxArgBytes: 4 * MB },
  "records.lookup": { maxArgBytes: 16 * KB },
  "records.accessPass": { maxArgBytes: KB },
  "users.workspaceAdmins": { maxArgBytes: KB },
  "server.sleep": { maxArgBytes: KB },
  "ids.uniqueForPrefix": { maxArgBytes: KB },
  "files.readExcel": { maxArgBytes: 4 * KB },
  "files.writeExcel": { maxArgBytes: 16 * MB },
  "files.zip": { maxArgBytes: 64 * KB },
  "files.writePdf": { maxArgBytes: 2 * MB },
  "files.mergePdf": { maxArgBytes: 64 * KB },
  "queue.enqueue": { maxArgBytes: 1 * MB },
  "queue.retryLater": { maxArgBytes: 4 * KB },
};

export type { HostFunctions } from "../host-functions.ts";

export interface BridgeHooks {
  /** Throws when the action is past its deadline (checked on every call). */
  checkDeadline(): void;
  /** Rebuilds a host error for the isolate: code + message only, secrets redacted. */
  describeError(error: unknown): { code: ErrorCode; message: string };
}

function lookup<T>(table: Record<string, T>, name: unknown): T {
  if (typeof name !== "string" || !Object.hasOwn(table, name))
    throw new RuntimeError("bad_request", `Unknown host function "${String(name)}".`);
  return table[name];
}

function parseArg(name: string, argJson: unknown, maxArgBytes: number): object {
  const arg = parseFromIsolate(argJson, maxArgBytes, `The argument of ${name}`);
  if (typeof arg !== "object" || arg === null)
    throw new RuntimeError("bad_request", `The argument of ${name} must be an object.`);
  return arg;
}

/** Builds the two transports handed to the isolate's bootstrap. */
export function createBridge(host: HostFunctions, hooks: BridgeHooks) {
  const reply = (value: unknown) => JSON.stringify({ ok: value ?? null });
  const fail = (error: unknown) => JSON.stringify({ error: hooks.describeError(error) });
  return {
    dispatchSync(name: unknown, argJson: unknown): string {
      try {
        hooks.checkDeadline();
        const spec = lookup(SYNC_CALLS, name);
        const fn = host[name as SyncCallName] as (arg: object) => unknown;
        return reply(fn(parseArg(name as string, argJson, spec.maxArgBytes)));
      } catch (error) {
        return fail(error);
      }
    },
    async dispatchAsync(name: unknown, argJson: unknown): Promise<string> {
      try {
        hooks.checkDeadline();
        const spec = lookup(ASYNC_CALLS, name);
        const fn = host[name as AsyncCallName] as (arg: object) => Promise<unknown>;
        const result = await fn(parseArg(name as string, argJson, spec.maxArgBytes));
        hooks.checkDeadline();
        return reply(result);
      } catch (error) {
        return fail(error);
      }
    },
  };
}

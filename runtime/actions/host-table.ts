/**
 * THE assembly of one action's host functions: who owns each call of the bridge contract
 * (globals/bridge-contract.ts, shape in runtime/host-functions.ts). host/ owns the calls that need
 * only the host; actions/ owns the record calls that need the action's user and app
 * (record-calls.ts) and the queue calls that write to its outbox (outbox.ts). No call is listed
 * by name here: each owner's keys are its object's keys, and the types make a call that two owners
 * provide, or that none does, a compile error.
 */
import type { HostFunctions } from "../host-functions.ts";

type Overlap<A, B> = Extract<keyof A, keyof B>;
/** `unknown` when A and B share no call; otherwise a type no object satisfies, naming the calls. */
type Disjoint<A, B> = [Overlap<A, B>] extends [never] ? unknown : { "provided twice": Overlap<A, B> };
/** `unknown` when the owners together provide every call; otherwise names the missing ones. */
type Complete<T> = [Exclude<keyof HostFunctions, keyof T>] extends [never]
  ? unknown
  : { "provided by no owner": Exclude<keyof HostFunctions, keyof T> };

export interface HostOwners<G, R, Q> {
  /** host/: createHostFunctions. */
  host: G;
  /** actions/: createRecordCalls. */
  records: R;
  /** actions/: the outbox's enqueue and retryLater. */
  queue: Q;
}

export function assembleHostFunctions<
  G extends Partial<HostFunctions>,
  R extends Partial<HostFunctions>,
  Q extends Partial<HostFunctions>,
>(owners: HostOwners<G, R & Disjoint<R, G>, Q & Disjoint<Q, G & R>> & Complete<G & R & Q>): HostFunctions {
  // Complete<> and Disjoint<> above prove what this spread makes: every call, each from one owner.
  const all: Partial<HostFunctions> = { ...owners.host, ...owners.records, ...owners.queue };
  return all as HostFunctions;
}

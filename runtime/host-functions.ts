/**
 * The shape of one action's host implementations, derived from the bridge contract
 * (globals/bridge-contract.ts): sandbox/ calls them, host/ and actions/ provide them. A top-level
 * module so that neither folder has to import the other for a type.
 */
import type {
  AsyncCallName,
  AsyncHostCalls,
  SyncCallName,
  SyncHostCalls,
} from "../globals/bridge-contract.ts";

/** Host implementations of one action, keyed like the contract. */
export type HostFunctions = {
  [N in SyncCallName]: (arg: SyncHostCalls[N]["arg"]) => SyncHostCalls[N]["result"];
} & {
  [N in AsyncCallName]: (arg: AsyncHostCalls[N]["arg"]) => Promise<AsyncHostCalls[N]["result"]>;
};

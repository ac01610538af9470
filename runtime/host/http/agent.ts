/**
 * Pooled undici Agents, one per allow-list, whose connect-time DNS lookup refuses restricted
 * addresses: a name that resolves to loopback is caught here, on every connection and redirect.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent } from "undici";
import { EgressPolicy } from "./egress.ts";

const agents = new Map<string, { agent: Agent; policy: EgressPolicy }>();
/** The same allow-list array is passed on every request of a runtime: skip re-keying it. */
let byList = new WeakMap<string[], { agent: Agent; policy: EgressPolicy }>();

export const EGRESS_DENIED = "EGRESS_DENIED";

function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: { all?: boolean } & Record<string, unknown>, callback: (...args: any[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const allowed = addresses.filter((entry) => policy.permits(hostname, entry.address));
      if (allowed.length === 0) {
        const denied = Object.assign(new Error(`egress to ${hostname} is not allowed`), { code: EGRESS_DENIED });
        return callback(denied);
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

function keyOf(allowHosts: string[]): string {
  return [...allowHosts].map((host) => host.toLowerCase()).sort().join(",");
}

export function agentFor(allowHosts: string[]): { agent: Agent; policy: EgressPolicy } {
  const known = byList.get(allowHosts);
  if (known) return known;
  const key = keyOf(allowHosts);
  let entry = agents.get(key);
  if (!entry) {
    const policy = new EgressPolicy(allowHosts);
    entry = { policy, agent: new Agent({ connect: { lookup: guardedLookup(policy) } as any, keepAliveTimeout: 10_000, connections: 64 }) };
    agents.set(key, entry);
  }
  byList.set(allowHosts, entry);
  return entry;
}

/** Closes pooled connections (CLI exit, tests). */
export async function closeAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  byList = new WeakMap();
  await Promise.all(all.map(({ agent }) => agent.close().catch(() => undefined)));
}

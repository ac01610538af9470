/**
 * Pooled undici Agents, one per distinct allow-list, so connections are reused across requests
 * and actions. Each origin's pool resolves names through a lookup that drops every address the
 * egress policy refuses: a name that resolves to loopback or a private address (including a DNS
 * answer that changed since the last request) is caught on every new connection, redirects too.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, Pool } from "undici";
import { RuntimeError } from "../../errors.ts";
import { AllowList, effectivePort } from "./egress.ts";

/** Thrown by the guarded lookup; send.ts turns it into an "egress_denied" HttpError. */
export class EgressDenied extends RuntimeError {
  constructor(hostname: string) {
    super("egress_denied", `Egress to ${hostname} is not allowed; an admin can allow it with --allow-host.`);
    this.name = "EgressDenied";
  }
}

type LookupCallback = (error: Error | null, address?: string | LookupAddress[], family?: number) => void;
type Resolver = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

/** A `lookup` for net/tls.connect that only returns addresses `allow` permits for this host and port. */
export function guardedLookup(
  allow: AllowList,
  hostname: string,
  port: string,
  resolve: Resolver = dnsLookup as unknown as Resolver,
) {
  return (name: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    resolve(name, { family: options.family, all: true }, (error, addresses) => {
      if (error) return callback(error);
      const permitted = addresses.filter((entry) => allow.permits(hostname, port, entry.address));
      if (permitted.length === 0) return callback(new EgressDenied(hostname));
      if (options.all) return callback(null, permitted);
      callback(null, permitted[0].address, permitted[0].family);
    });
  };
}

export interface EgressAgent {
  agent: Agent;
  allow: AllowList;
}

const agents = new Map<string, EgressAgent>();

export function agentFor(allowHosts: readonly string[]): EgressAgent {
  const key = allowHosts
    .map((host) => host.trim().toLowerCase())
    .sort()
    .join(",");
  let entry = agents.get(key);
  if (!entry) {
    const allow = new AllowList(allowHosts);
    const agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: 32,
      factory: (origin, options) => {
        const url = new URL(String(origin));
        const lookup = guardedLookup(allow, url.hostname, effectivePort(url));
        const poolOptions = options as Pool.Options;
        return new Pool(origin, {
          ...poolOptions,
          connect: { ...(poolOptions.connect as object), lookup } as Pool.Options["connect"],
        });
      },
    });
    entry = { agent, allow };
    agents.set(key, entry);
  }
  return entry;
}

/** Closes every pooled connection (CLI exit, server shutdown, tests). */
export async function closeAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map(({ agent }) => agent.close().catch(() => undefined)));
}

/**
 * The egress policy: http/https only, and no loopback, private, link-local, CGNAT, metadata or
 * unspecified addresses unless the admin's allow-list names the host or the address. Checked on
 * the URL (for IP literals) and again at connect time on every resolved address (for names).
 */
import { BlockList, isIP } from "node:net";

const BLOCKED = new BlockList();
for (const [network, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4]] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96]] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv6");
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** True when the address is one that must not be reached without an allow-list entry. */
export function isRestrictedAddress(address: string): boolean {
  const ip = unbracket(address).toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return isRestrictedAddress(mapped[1]);
  const family = isIP(ip);
  if (family === 4) return BLOCKED.check(ip, "ipv4");
  if (family === 6) return BLOCKED.check(ip, "ipv6");
  return false;
}

export class EgressPolicy {
  private readonly hosts = new Set<string>();
  /** host -> ports, for entries such as "10.0.0.5:8080". */
  private readonly hostPorts = new Map<string, Set<string>>();

  constructor(allowHosts: string[]) {
    for (const entry of allowHosts) {
      const value = entry.trim().toLowerCase();
      if (!value) continue;
      const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(value);
      if (!withPort) {
        this.hosts.add(unbracket(value));
        continue;
      }
      const host = unbracket(withPort[1]);
      this.hostPorts.set(host, (this.hostPorts.get(host) ?? new Set()).add(withPort[2]));
    }
  }

  private named(host: string): boolean {
    const name = unbracket(host.toLowerCase());
    return this.hosts.has(name) || this.hostPorts.has(name);
  }

  /** A host listed only with other ports ("10.0.0.5:8080" does not allow port 22). */
  wrongPort(host: string, port: string): boolean {
    const name = unbracket(host.toLowerCase());
    const ports = this.hostPorts.get(name);
    return !this.hosts.has(name) && ports !== undefined && !ports.has(port);
  }

  /**
   * May a connection to `address`, resolved from `host`, be opened? A restricted address needs the
   * URL's own host on the list: allowing "127.0.0.1" does not let "localhost" or any other name
   * that resolves there through.
   */
  permits(host: string, address: string): boolean {
    return !isRestrictedAddress(address) || this.named(host);
  }
}

export function defaultPort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

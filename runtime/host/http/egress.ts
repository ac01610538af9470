/**
 * The egress policy. Public addresses are always reachable; loopback, private, link-local
 * (incl. the 169.254.169.254 metadata service), CGNAT, unspecified and IPv4-mapped forms of those
 * are refused unless the admin's allow-list names the URL's host or the resolved address (with
 * the port, if the entry gives one). Applied to IP literals before connecting and to every
 * resolved address of a name at connect time (see agent.ts).
 */
import { BlockList, isIP } from "node:net";

const BLOCKED = new BlockList();
const V4: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];
// ::/96 covers ::, ::1 and the deprecated IPv4-compatible form; mapped forms are unwrapped below.
const V6: [string, number][] = [
  ["::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
];
for (const [net, prefix] of V4) BLOCKED.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of V6) BLOCKED.addSubnet(net, prefix, "ipv6");

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** The 8 groups of an IPv6 address (any textual form, incl. a dotted IPv4 tail). */
function ipv6Groups(ip: string): number[] {
  const canonical = unbracket(new URL(`http://[${ip}]/`).hostname); // compressed hex, no dotted tail
  const [head, tail = ""] = canonical.split("::");
  const parse = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = canonical.includes("::") ? parse(tail) : [];
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address an IPv6 address stands for: IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16. */
function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return null;
}

/** The address in one comparable form: unbracketed, lower case, IPv4-mapped IPv6 as IPv4. */
export function canonicalAddress(address: string): string {
  const ip = unbracket(address.trim().toLowerCase()).replace(/\.$/, "");
  if (isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return embeddedIpv4(ip) as string;
  return unbracket(new URL(`http://[${ip}]/`).hostname);
}

/** True for an IP address that needs an allow-list entry; false for public IPs and for names. */
export function isRestrictedAddress(address: string): boolean {
  const ip = canonicalAddress(address);
  const family = isIP(ip);
  if (family === 4) return BLOCKED.check(ip, "ipv4");
  if (family !== 6) return false;
  const inner = embeddedIpv4(ip);
  return (inner !== null && isRestrictedAddress(inner)) || BLOCKED.check(ip, "ipv6");
}

export function effectivePort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

const MAX_REMEMBERED_HOSTS = 1024;

/** The admin's allow-list: "127.0.0.1", "LocalHost", "10.0.0.5:8080", "[::1]", "[::1]:8080", "::1". */
export class AllowList {
  /** host -> allowed ports; null = any port. */
  readonly #entries = new Map<string, Set<string> | null>();
  /** permitsUrlHost() answers by "host port": the list never changes, so neither do they. */
  readonly #urlHostVerdicts = new Map<string, boolean>();

  constructor(allowHosts: readonly string[]) {
    for (const raw of allowHosts) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
      const host = canonicalAddress(match ? match[1] : entry); // a bare "::1" has no port
      const port = match?.[2] ? String(Number(match[2])) : null;
      const ports = this.#entries.get(host);
      if (port === null || ports === null) this.#entries.set(host, null);
      else this.#entries.set(host, (ports ?? new Set()).add(port));
    }
  }

  #names(host: string, port: string): boolean {
    const ports = this.#entries.get(canonicalAddress(host));
    return ports === null || ports?.has(port) === true;
  }

  /**
   * May a connection to `address` (resolved from the URL host `hostname`) on `port` be opened?
   * A restricted address needs the URL's own host on the list: allowing "127.0.0.1" does not let
   * "localhost", or any other name that resolves there, through.
   */
  permits(hostname: string, port: string, address: string): boolean {
    return !isRestrictedAddress(address) || this.#names(hostname, port);
  }

  /**
   * permits() for a URL's own host before connecting: an IP literal is checked here, a name
   * passes (each address it resolves to is checked when it connects, see agent.ts).
   */
  permitsUrlHost(hostname: string, port: string): boolean {
    const key = `${hostname} ${port}`;
    let verdict = this.#urlHostVerdicts.get(key);
    if (verdict === undefined) {
      const host = canonicalAddress(hostname);
      verdict = isIP(host) === 0 || this.permits(hostname, port, host);
      if (this.#urlHostVerdicts.size >= MAX_REMEMBERED_HOSTS) this.#urlHostVerdicts.clear();
      this.#urlHostVerdicts.set(key, verdict);
    }
    return verdict;
  }
}

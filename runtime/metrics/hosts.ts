/**
 * Bounded host labels: the first `max` distinct target hosts an instance sees keep their own
 * label, every later one is counted as "other". Logic decides which hosts it calls, so without
 * a cap one app calling per-customer subdomains would grow the scrape (and Prometheus) forever.
 */
export const DEFAULT_MAX_HOSTS = 50;
export const OTHER_HOST = "other";

export class HostLabels {
  private readonly seen = new Set<string>();
  private readonly max: number;

  constructor(max = DEFAULT_MAX_HOSTS) {
    this.max = max;
  }

  /** The label to count `host` under (lower-cased; "other" once the cap is reached). */
  of(host: string): string {
    const name = host.toLowerCase();
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return OTHER_HOST;
    this.seen.add(name);
    return name;
  }
}

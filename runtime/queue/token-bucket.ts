/**
 * Token buckets keyed by name (one per user and app, one per app), on this node only: each
 * enqueue takes a token, tokens come back at `rate` per second up to `burst`. The clock is
 * injected so tests step time instead of sleeping. A bucket that has refilled is the same as no
 * bucket, so full ones are dropped when the map grows (memory stays bounded by the keys that
 * enqueued within one refill time).
 */

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
  burst: number;
}

const SWEEP_AT = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private level(key: string, rate: number, burst: number, at: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return burst;
    return Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * rate);
  }

  /**
   * Takes `count` tokens from every bucket of `wants` (all or none); 0 when taken, otherwise the
   * seconds until the emptiest of them holds enough (at least 1).
   */
  take(wants: { key: string; rate: number; burst: number }[], count = 1): number {
    const at = this.now();
    let waitSeconds = 0;
    for (const { key, rate, burst } of wants) {
      const level = this.level(key, rate, burst, at);
      if (level >= count) continue;
      // More than the bucket holds can never be taken at once: wait for a full bucket.
      const missing = Math.min(count, burst) - level;
      waitSeconds = Math.max(waitSeconds, Math.max(Math.ceil(missing / rate), 1));
    }
    if (waitSeconds > 0) return waitSeconds;
    if (this.buckets.size >= SWEEP_AT) this.sweep(at);
    for (const { key, rate, burst } of wants)
      this.buckets.set(key, { tokens: this.level(key, rate, burst, at) - count, at, rate, burst });
    return 0;
  }

  /** Gives back tokens taken for enqueues that were then refused (over a pending limit). */
  refund(wants: { key: string; rate: number; burst: number }[], count = 1): void {
    const at = this.now();
    for (const { key, rate, burst } of wants)
      if (this.buckets.has(key))
        this.buckets.set(key, {
          tokens: Math.min(burst, this.level(key, rate, burst, at) + count),
          at,
          rate,
          burst,
        });
  }

  /** Drops the buckets that have refilled: taking from them again starts from a full bucket anyway. */
  private sweep(at: number): void {
    for (const [key, bucket] of this.buckets)
      if (this.level(key, bucket.rate, bucket.burst, at) >= bucket.burst) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

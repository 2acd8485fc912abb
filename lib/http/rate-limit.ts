import { BoundedMap } from "./bounded-map";

/**
 * Token bucket per API key, in process memory: `ratePerSecond` sustained, `burst` at once. Each app
 * instance limits on its own, so N instances allow up to N× the rate; that bounds abuse without a
 * shared store on the hot path. At most `maxKeys` buckets are kept; a full limiter forgets buckets
 * that would let their next request through first, before one still throttling a client.
 */
export class RateLimiter {
  private readonly buckets: BoundedMap<string, { tokens: number; updatedAt: number }>;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    maxKeys = 100_000,
  ) {
    this.buckets = new BoundedMap(maxKeys);
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond,
    );
    bucket.updatedAt = now;
    // Only a bucket that would refuse its next request is worth protecting from eviction.
    this.buckets.set(
      key,
      bucket,
      (kept) => kept.tokens + ((now - kept.updatedAt) / 1000) * this.ratePerSecond < 1,
    );
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
  }
}

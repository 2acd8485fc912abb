import { BoundedMap } from "../http/bounded-map";

/**
 * Failed sign-in attempts per key in a sliding window, in process memory. A key is locked once it has
 * `maxFailures` failures within `windowMs`, until the oldest of them leaves the window; a successful
 * sign-in clears it. Per instance: N instances allow N× the attempts, still far from a useful
 * guessing rate against argon2id hashes. At most `maxKeys` keys are tracked; a full throttle forgets
 * keys without recent failures first, never a locked one while another can go.
 */
export class LoginThrottle {
  private readonly failures: BoundedMap<string, number[]>;

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60_000,
    maxKeys = 100_000,
  ) {
    this.failures = new BoundedMap(maxKeys);
  }

  /** 0 when an attempt is allowed, else the milliseconds until the next one is. */
  retryAfterMs(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.maxFailures) return 0;
    const oldest = recent[recent.length - this.maxFailures] ?? now;
    return Math.max(1, oldest + this.windowMs - now);
  }

  recordFailure(key: string, now = Date.now()): void {
    this.failures.set(
      key,
      [...this.recent(key, now), now],
      (kept) => kept.filter((at) => at > now - this.windowMs).length >= this.maxFailures,
    );
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - this.windowMs);
  }
}

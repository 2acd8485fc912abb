// A circuit breaker (closed → open after repeated failures → half-open after a cool-down that
// doubles on each failed probe → closed on success). Pure state: callers ask `available(now)`
// before a call and report `succeeded` / `failed`. Used per RPC URL (lib/chains/rpc-endpoint.ts)
// and per exchange-rate source (lib/rates).

export type BreakerState = "closed" | "open" | "half_open";

export type BreakerPolicy = {
  /** Consecutive failures (errors, timeouts, HTTP 5xx/429) that open the breaker. */
  failureThreshold: number;
  /** First cool-down; doubles after each failed probe, up to maxCooldownMs. */
  baseCooldownMs: number;
  maxCooldownMs: number;
};

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failureThreshold: 2,
  baseCooldownMs: 2_000,
  maxCooldownMs: 60_000,
};

export class CircuitBreaker {
  state: BreakerState = "closed";
  consecutiveFailures = 0;
  /** Cool-down of the current (or last) open period. */
  cooldownMs = 0;
  /** When an open breaker may be probed again (ms since epoch). */
  retryAt = 0;
  latencyMs: number | null = null;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;

  constructor(protected readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY) {}

  /** May a request be sent now? Open breakers wait for their cool-down, then let a probe through. */
  available(now: number): boolean {
    if (this.state !== "open") return true;
    if (now < this.retryAt) return false;
    this.state = "half_open";
    return true;
  }

  succeeded(latencyMs: number): void {
    this.latencyMs = this.latencyMs === null ? latencyMs : Math.round(this.latencyMs * 0.8 + latencyMs * 0.2);
    this.consecutiveFailures = 0;
    if (this.state !== "closed") {
      this.state = "closed";
      this.cooldownMs = 0;
    }
  }

  /** A failure: the breaker opens at the threshold, or again (longer) after a failed probe. */
  failed(message: string, now: number): void {
    this.consecutiveFailures += 1;
    this.lastError = message;
    this.lastErrorAt = new Date(now);
    const probeFailed = this.state === "half_open";
    if (!probeFailed && this.consecutiveFailures < this.policy.failureThreshold) return;
    this.cooldownMs = probeFailed
      ? Math.min(this.policy.maxCooldownMs, Math.max(this.policy.baseCooldownMs, this.cooldownMs * 2))
      : this.policy.baseCooldownMs;
    this.state = "open";
    this.retryAt = now + this.cooldownMs;
  }
}

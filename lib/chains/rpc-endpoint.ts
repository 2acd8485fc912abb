// One RPC URL of a chain as the gateway sees it: a circuit breaker (closed → open after repeated
// transport failures → half-open after a cool-down with exponential backoff → closed on success),
// its chain id check, its latest head and whether it is demoted (behind the others, or on another
// fork). Pure state: the pool (rpc-pool.ts) decides what to call; this only records what happened.

export type BreakerState = "closed" | "open" | "half_open";

/** Why an endpoint is not used for reads although it answers. */
export type DemotedReason = "lagging" | "fork" | "wrong_chain";

export type BreakerPolicy = {
  /** Consecutive transport failures (errors, timeouts, HTTP 5xx/429) that open the breaker. */
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

/** What /api/health, /api/metrics and the dashboard show of one RPC URL (the URL itself never: it may hold a key). */
export type RpcEndpointStatus = {
  index: number;
  /** scheme://host[:port] only: provider keys live in paths and query strings. */
  host: string;
  state: BreakerState;
  chain_id_verified: boolean;
  demoted: DemotedReason | null;
  head_block: string | null;
  latency_ms: number | null;
  consecutive_failures: number;
  retry_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
};

export class RpcEndpoint {
  state: BreakerState = "closed";
  consecutiveFailures = 0;
  /** Cool-down of the current (or last) open period. */
  cooldownMs = 0;
  /** When an open breaker may be probed again (ms since epoch). */
  retryAt = 0;
  /** The chain id was checked against chains.yaml since the last (re)connect. */
  chainIdVerified = false;
  demoted: DemotedReason | null = null;
  head: bigint | null = null;
  latencyMs: number | null = null;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;

  constructor(
    readonly index: number,
    readonly url: string,
    private readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY,
  ) {}

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

  /** A transport failure: the breaker opens at the threshold, or again (longer) after a failed probe. */
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
    // After a reconnect the node is checked again: it may come back as another node.
    this.chainIdVerified = false;
  }

  /** The node answered for another chain: never used until a later check (after a cool-down) passes. */
  refuse(message: string, now: number): void {
    this.demoted = "wrong_chain";
    this.lastError = message;
    this.lastErrorAt = new Date(now);
    this.state = "open";
    this.cooldownMs = this.policy.maxCooldownMs;
    this.retryAt = now + this.cooldownMs;
    this.chainIdVerified = false;
  }

  verified(): void {
    this.chainIdVerified = true;
    if (this.demoted === "wrong_chain") this.demoted = null;
  }

  status(): RpcEndpointStatus {
    return {
      index: this.index,
      host: hostOf(this.url),
      state: this.state,
      chain_id_verified: this.chainIdVerified,
      demoted: this.demoted,
      head_block: this.head?.toString() ?? null,
      latency_ms: this.latencyMs,
      consecutive_failures: this.consecutiveFailures,
      retry_at: this.state === "open" ? new Date(this.retryAt).toISOString() : null,
      last_error: this.lastError,
      last_error_at: this.lastErrorAt?.toISOString() ?? null,
    };
  }
}

export function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "(invalid URL)";
  }
}

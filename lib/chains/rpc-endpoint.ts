// One RPC URL of a chain as the gateway sees it: a circuit breaker (closed → open after repeated
// transport failures → half-open after a cool-down with exponential backoff → closed on success),
// its chain id check, its latest head and whether it is demoted (behind the others, or on another
// fork). Pure state: the pool (rpc-pool.ts) decides what to call; this only records what happened.

import * as breaker from "../resilience/circuit-breaker";

// The breaker itself is shared with the exchange-rate sources (lib/resilience/circuit-breaker.ts).
export type BreakerState = breaker.BreakerState;
export type BreakerPolicy = breaker.BreakerPolicy;
export const DEFAULT_BREAKER_POLICY: BreakerPolicy = breaker.DEFAULT_BREAKER_POLICY;

/** Why an endpoint is not used for reads although it answers. */
export type DemotedReason = "lagging" | "fork" | "wrong_chain";

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

export class RpcEndpoint extends breaker.CircuitBreaker {
  /** The chain id was checked against chains.yaml since the last (re)connect. */
  chainIdVerified = false;
  demoted: DemotedReason | null = null;
  head: bigint | null = null;

  constructor(
    readonly index: number,
    readonly url: string,
    policy: BreakerPolicy = DEFAULT_BREAKER_POLICY,
  ) {
    super(policy);
  }

  override failed(message: string, now: number): void {
    super.failed(message, now);
    // After a reconnect the node is checked again: it may come back as another node.
    if (this.state === "open") this.chainIdVerified = false;
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

// The RPC URLs of one chain, verified and ranked instead of trusted in order (issue 17):
// - each URL's chain id is checked against chains.yaml before its first use and after every
//   reconnect; a node on another chain is never read from;
// - a circuit breaker per URL (rpc-endpoint.ts): after repeated transport failures or timeouts the
//   URL is skipped for a cool-down that doubles on each failed probe, so a hanging first URL costs a
//   timeout once per cool-down, not on every call;
// - every `eth_blockNumber` asks all available URLs: one whose head is behind the best known head by
//   more than a few blocks is demoted (read from only when nothing else answers), and now and then
//   the block hash at a common height is compared: a URL that disagrees with the majority is demoted
//   as being on another fork.
// Reads go to the first healthy URL in the configured order.
import {
  BaseError,
  type Chain,
  createTransport,
  type EIP1193RequestFn,
  HttpRequestError,
  hexToBigInt,
  hexToNumber,
  SocketClosedError,
  shouldThrow,
  TimeoutError,
  type Transport,
  WebSocketRequestError,
} from "viem";
import { logger } from "../logger";
import { rpcCallTimer } from "../metrics/work-metrics";
import { startRpcSpan } from "../observability/trace-rpc";
import {
  type BreakerPolicy,
  DEFAULT_BREAKER_POLICY,
  RpcEndpoint,
  type RpcEndpointStatus,
} from "./rpc-endpoint";
import { shortMessage } from "./rpc-error";

type RequestArgs = { method: string; params?: unknown };
type Outcome = { ok: true; result: unknown } | { ok: false; error: Error };

export type RpcPoolOptions = {
  chain: Chain;
  name: string;
  /** One viem transport per URL (http or webSocket), in the configured order. */
  transports: { url: string; request: EIP1193RequestFn }[];
  blockTime: number;
  policy?: BreakerPolicy;
  now?: () => number;
};

export class NoRpcEndpointError extends BaseError {
  override name = "NoRpcEndpointError";
  constructor(chain: string, statuses: RpcEndpointStatus[]) {
    super(`No RPC URL of ${chain} can be used right now.`, {
      details: statuses
        .map((status) => `#${status.index} ${status.state}: ${status.last_error ?? "—"}`)
        .join("; "),
    });
  }
}

export class RpcPool {
  readonly endpoints: RpcEndpoint[];
  private readonly requests: EIP1193RequestFn[];
  private readonly now: () => number;
  /** Heads within this many blocks of the best are not lagging (a few blocks, at least ~5 s of blocks). */
  readonly lagToleranceBlocks: bigint;
  private readonly forkCheckIntervalMs: number;
  private lastForkCheck = 0;

  constructor(private readonly options: RpcPoolOptions) {
    this.endpoints = options.transports.map(
      (transport, index) => new RpcEndpoint(index, transport.url, options.policy ?? DEFAULT_BREAKER_POLICY),
    );
    this.requests = options.transports.map((transport) => transport.request);
    this.now = options.now ?? Date.now;
    this.lagToleranceBlocks = BigInt(Math.max(3, Math.ceil(5 / options.blockTime)));
    this.forkCheckIntervalMs = Math.max(10_000, options.blockTime * 5_000);
  }

  statuses(): RpcEndpointStatus[] {
    return this.endpoints.map((endpoint) => endpoint.status());
  }

  async request(args: RequestArgs): Promise<unknown> {
    if (args.method === "eth_blockNumber") return this.headPoll(args);
    let lastError: Error | undefined;
    for (const endpoint of this.readOrder()) {
      const outcome = await this.call(endpoint, args);
      if (outcome.ok) return outcome.result;
      if (shouldThrow(outcome.error)) throw outcome.error;
      lastError = outcome.error;
    }
    throw lastError ?? new NoRpcEndpointError(this.options.name, this.statuses());
  }

  /**
   * Where reads go, in order: healthy URLs in the configured order (an open breaker whose cool-down
   * is over is probed in its place), then lagging ones. When every breaker is open, the one whose
   * cool-down ends first is tried anyway: with no alternative, failing fast helps nobody.
   */
  private readOrder(): RpcEndpoint[] {
    const now = this.now();
    const usable = this.endpoints.filter((endpoint) => endpoint.available(now));
    const order = [
      ...usable.filter((endpoint) => endpoint.demoted === null || endpoint.demoted === "wrong_chain"),
      ...usable.filter((endpoint) => endpoint.demoted === "lagging"),
    ];
    if (order.length > 0) return order;
    return this.endpoints
      .filter((endpoint) => endpoint.demoted !== "wrong_chain" && endpoint.demoted !== "fork")
      .sort((a, b) => a.retryAt - b.retryAt);
  }

  private async call(endpoint: RpcEndpoint, args: RequestArgs): Promise<Outcome> {
    const request = this.requests[endpoint.index] as EIP1193RequestFn;
    if (!endpoint.chainIdVerified) {
      const answer = await this.send(endpoint, request, { method: "eth_chainId" });
      if (!answer.ok) return answer;
      const chainId = hexToNumber(answer.result as `0x${string}`);
      if (chainId !== this.options.chain.id) {
        const message = `RPC URL #${endpoint.index} of ${this.options.name} answers chain id ${chainId}, chains.yaml says ${this.options.chain.id}: it is refused`;
        if (endpoint.demoted !== "wrong_chain") logger.error(message, { chain: this.options.name });
        endpoint.refuse(message, this.now());
        return { ok: false, error: new WrongChainRpcError(message) };
      }
      endpoint.verified();
    }
    return this.send(endpoint, request, args);
  }

  private async send(endpoint: RpcEndpoint, request: EIP1193RequestFn, args: RequestArgs): Promise<Outcome> {
    const started = this.now();
    const measured = rpcCallTimer(this.options.name, args.method, endpoint.index);
    const traced = startRpcSpan(this.options.name, args.method, endpoint.index);
    try {
      const result = await (request as (args: RequestArgs) => Promise<unknown>)(args);
      endpoint.succeeded(this.now() - started);
      measured("ok");
      traced("ok");
      return { ok: true, result };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const outcome = isTransportFailure(failure) ? "transport" : "error";
      measured(outcome);
      traced(outcome, failure);
      if (isTransportFailure(failure)) {
        const wasOpen = endpoint.state === "open";
        endpoint.failed(shortMessage(failure), this.now());
        if (!wasOpen && endpoint.state === "open")
          logger.warn("RPC URL skipped for a cool-down (circuit breaker open)", {
            chain: this.options.name,
            url_index: endpoint.index,
            cooldown_ms: endpoint.cooldownMs,
            error: endpoint.lastError,
          });
      } else endpoint.succeeded(this.now() - started);
      return { ok: false, error: failure };
    }
  }

  /** `eth_blockNumber` of every available URL: ranks them, answers the preferred one's head. */
  private async headPoll(args: RequestArgs): Promise<unknown> {
    const candidates = this.readOrder();
    const outcomes = await Promise.all(candidates.map((endpoint) => this.call(endpoint, args)));
    const answered = candidates.flatMap((endpoint, index) => {
      const outcome = outcomes[index] as Outcome;
      if (!outcome.ok) return [];
      endpoint.head = hexToBigInt(outcome.result as `0x${string}`);
      return [{ endpoint, result: outcome.result, head: endpoint.head }];
    });
    if (answered.length === 0) {
      const error = outcomes.find((outcome): outcome is { ok: false; error: Error } => !outcome.ok)?.error;
      throw error ?? new NoRpcEndpointError(this.options.name, this.statuses());
    }
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max does not take
    const best = answered.reduce((max, answer) => (answer.head > max ? answer.head : max), 0n);
    for (const { endpoint, head } of answered) this.rankByHead(endpoint, head, best);
    if (answered.length > 1 && this.now() - this.lastForkCheck >= this.forkCheckIntervalMs)
      await this.checkForks(answered.map((answer) => answer.endpoint));
    const chosen =
      answered.find((answer) => answer.endpoint.demoted === null) ??
      answered.find((answer) => answer.endpoint.demoted === "lagging") ??
      (answered[0] as (typeof answered)[number]);
    return chosen.result;
  }

  private rankByHead(endpoint: RpcEndpoint, head: bigint, best: bigint): void {
    const lagging = best - head > this.lagToleranceBlocks;
    if (lagging && endpoint.demoted === null) {
      endpoint.demoted = "lagging";
      endpoint.lastError = `head ${head} is ${best - head} blocks behind the best known head ${best}`;
      endpoint.lastErrorAt = new Date(this.now());
      logger.warn("RPC URL demoted: behind the other nodes", {
        chain: this.options.name,
        url_index: endpoint.index,
        head: head.toString(),
        best: best.toString(),
      });
    } else if (!lagging && endpoint.demoted === "lagging") endpoint.demoted = null;
  }

  /**
   * Compares the block hash at a height every answering URL has (a few blocks below the lowest head,
   * so a fresh tip racing between nodes is no disagreement). The majority hash wins; on a tie, the
   * group holding the earliest configured URL. Any other URL is demoted as being on another fork.
   */
  private async checkForks(endpoints: RpcEndpoint[]): Promise<void> {
    this.lastForkCheck = this.now();
    const current = endpoints.filter((endpoint) => endpoint.demoted !== "lagging" && endpoint.head !== null);
    if (current.length < 2) return;
    const lowest = current.reduce(
      (min, endpoint) => ((endpoint.head as bigint) < min ? (endpoint.head as bigint) : min),
      (current[0] as RpcEndpoint).head as bigint,
    );
    const height = lowest > 2n ? lowest - 2n : 0n;
    const args = { method: "eth_getBlockByNumber", params: [`0x${height.toString(16)}`, false] };
    const outcomes = await Promise.all(current.map((endpoint) => this.call(endpoint, args)));
    const hashes = new Map<string, RpcEndpoint[]>();
    current.forEach((endpoint, index) => {
      const outcome = outcomes[index] as Outcome;
      const hash = outcome.ok ? (outcome.result as { hash?: string } | null)?.hash : undefined;
      if (hash) hashes.set(hash, [...(hashes.get(hash) ?? []), endpoint]);
    });
    if (hashes.size < 2) {
      for (const endpoint of current) if (endpoint.demoted === "fork") endpoint.demoted = null;
      return;
    }
    const groups = [...hashes.entries()].sort(
      ([, a], [, b]) =>
        b.length - a.length || Math.min(...a.map((e) => e.index)) - Math.min(...b.map((e) => e.index)),
    );
    const [winningHash, winners] = groups[0] as [string, RpcEndpoint[]];
    for (const endpoint of winners) if (endpoint.demoted === "fork") endpoint.demoted = null;
    for (const [hash, losers] of groups.slice(1))
      for (const endpoint of losers) {
        endpoint.lastError = `block ${height} hash ${hash} disagrees with ${winningHash} of the other nodes`;
        endpoint.lastErrorAt = new Date(this.now());
        if (endpoint.demoted !== "fork")
          logger.error("RPC URL demoted: on another fork than the other nodes", {
            chain: this.options.name,
            url_index: endpoint.index,
            block: height.toString(),
            hash,
            majority_hash: winningHash,
          });
        endpoint.demoted = "fork";
      }
  }
}

export class WrongChainRpcError extends BaseError {
  override name = "WrongChainRpcError";
}

/** Failures of the URL itself (unreachable, timed out, HTTP error), as opposed to the node's answer. */
function isTransportFailure(error: Error): boolean {
  if (!(error instanceof BaseError)) return true;
  return Boolean(
    error.walk(
      (cause) =>
        cause instanceof HttpRequestError ||
        cause instanceof TimeoutError ||
        cause instanceof SocketClosedError ||
        cause instanceof WebSocketRequestError,
    ),
  );
}

/** A viem transport over the pool (its own retries and fallback live in the pool). */
export function rpcPoolTransport(pool: RpcPool): Transport {
  return () =>
    createTransport({
      key: "rpc-pool",
      name: "Verified RPC pool",
      type: "rpcPool",
      retryCount: 0,
      request: (args) => pool.request(args as RequestArgs) as never,
    });
}

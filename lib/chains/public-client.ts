import {
  type Chain,
  createPublicClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  webSocket,
} from "viem";
import type { TChain } from "../config/chains";
import type { BreakerPolicy, RpcEndpointStatus } from "./rpc-endpoint";
import { RpcPool, rpcPoolTransport } from "./rpc-pool";

/** The read-only client of one configured chain. */
export type ChainClient = PublicClient<Transport, Chain>;

/** The parts of a configured chain a client needs. */
export type ChainClientConfig = Pick<TChain, "name" | "chainId" | "rpcUrls" | "blockTime" | "nativeCurrency">;

const RPC_TIMEOUT_MS = 5_000;
const RPC_RETRY_COUNT = 2;

/** The viem chain object of a configured chain. */
export function toViemChain(chain: ChainClientConfig): Chain {
  const httpUrls = chain.rpcUrls.filter((url) => !isWebSocketUrl(url));
  const webSocketUrls = chain.rpcUrls.filter(isWebSocketUrl);
  return defineChain({
    id: chain.chainId,
    name: chain.name,
    nativeCurrency: {
      name: chain.nativeCurrency.symbol,
      symbol: chain.nativeCurrency.symbol,
      decimals: chain.nativeCurrency.decimals,
    },
    rpcUrls: { default: { http: httpUrls, ...(webSocketUrls.length ? { webSocket: webSocketUrls } : {}) } },
  });
}

/**
 * A public client over every RPC URL of the chain through a verified pool (rpc-pool.ts): chain ids
 * checked, a circuit breaker per URL, lagging or forked nodes demoted. With a single URL it is
 * retried (`RPC_RETRY_COUNT` times, `RPC_TIMEOUT_MS` each) as there is nothing to fail over to;
 * with several, a failing URL hands over to the next at once.
 */
export function createChainClient(
  chain: ChainClientConfig,
  options: { timeoutMs?: number; policy?: BreakerPolicy } = {},
): ChainClient {
  const viemChain = toViemChain(chain);
  const timeout = options.timeoutMs ?? RPC_TIMEOUT_MS;
  const retryCount = chain.rpcUrls.length > 1 ? 0 : RPC_RETRY_COUNT;
  const transports = chain.rpcUrls.map((url) => {
    const transport = isWebSocketUrl(url)
      ? webSocket(url, { timeout, retryCount })
      : // JSON-RPC batching: the calls a scan makes in one tick (blocks, receipts) share one round trip.
        http(url, { timeout, retryCount, batch: { batchSize: 200, wait: 0 } });
    return { url, request: transport({ chain: viemChain, retryCount, timeout }).request };
  });
  const pool = new RpcPool({
    chain: viemChain,
    name: chain.name,
    transports,
    blockTime: chain.blockTime,
    policy: options.policy,
  });
  const client = createPublicClient({
    chain: viemChain,
    transport: rpcPoolTransport(pool),
    pollingInterval: Math.max(1_000, Math.round(chain.blockTime * 1_000)),
  });
  pools.set(client, pool);
  return client;
}

const pools = new WeakMap<ChainClient, RpcPool>();

/** The state of each RPC URL behind a client made by {@link createChainClient}. */
export function rpcStatusesOf(client: ChainClient): RpcEndpointStatus[] {
  return pools.get(client)?.statuses() ?? [];
}

type CachedClient = { key: string; client: ChainClient };
// On globalThis: Next bundles instrumentation (the jobs) and route handlers (health, metrics)
// separately, and both must see the same pools.
const CLIENTS_KEY = Symbol.for("ctrip.chainClients");
const globals = globalThis as { [CLIENTS_KEY]?: Map<string, CachedClient> };
globals[CLIENTS_KEY] ??= new Map();
const clients = globals[CLIENTS_KEY];

/**
 * The process-wide client of a chain, created once per chain name. A changed configuration under
 * the same name (tests, reloaded chains.yaml) gets a new client rather than a stale one.
 */
export function chainClient(chain: ChainClientConfig): ChainClient {
  const key = JSON.stringify([chain.chainId, chain.rpcUrls, chain.blockTime, chain.nativeCurrency]);
  const cached = clients.get(chain.name);
  if (cached?.key === key) return cached.client;
  const client = createChainClient(chain);
  clients.set(chain.name, { key, client });
  return client;
}

/** The state of each RPC URL of a chain in this process, or null when nothing has used the chain yet. */
export function rpcEndpointStatuses(chainName: string): RpcEndpointStatus[] | null {
  const cached = clients.get(chainName);
  return cached ? rpcStatusesOf(cached.client) : null;
}

function isWebSocketUrl(url: string): boolean {
  return /^wss?:/i.test(url);
}

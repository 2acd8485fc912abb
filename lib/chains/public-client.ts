import {
  type Chain,
  createPublicClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  type Transport,
  webSocket,
} from "viem";
import type { TChain } from "../config/chains";

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
 * A public client over every RPC URL of the chain, in order: each URL is retried
 * (`RPC_RETRY_COUNT` times, `RPC_TIMEOUT_MS` each), then the next one takes over.
 */
export function createChainClient(chain: ChainClientConfig): ChainClient {
  const transports = chain.rpcUrls.map((url) =>
    isWebSocketUrl(url)
      ? webSocket(url, { timeout: RPC_TIMEOUT_MS, retryCount: RPC_RETRY_COUNT })
      : // JSON-RPC batching: the calls a scan makes in one tick (blocks, receipts) share one round trip.
        http(url, {
          timeout: RPC_TIMEOUT_MS,
          retryCount: RPC_RETRY_COUNT,
          batch: { batchSize: 200, wait: 0 },
        }),
  );
  return createPublicClient({
    chain: toViemChain(chain),
    // The per-URL transports already retry; retrying the whole fallback on top would multiply the attempts.
    transport: fallback(transports, { retryCount: 0 }),
    pollingInterval: Math.max(1_000, Math.round(chain.blockTime * 1_000)),
  });
}

const clients = new Map<string, { key: string; client: ChainClient }>();

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

function isWebSocketUrl(url: string): boolean {
  return /^wss?:/i.test(url);
}

import { Eip1559FeesNotSupportedError, type TransactionSerializable } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";

/**
 * The price per gas unit a sweep pays. With EIP-1559 the priority fee is set equal to the max fee,
 * so the effective price is exactly this value whatever the base fee: the fee of a sweep is known
 * before it is sent, and a native sweep of `balance − gas × price` leaves exactly 0 wei behind.
 */
export type GasQuote = { type: "eip1559" | "legacy"; gasPrice: bigint };

type FeeClient = Pick<ChainClient, "estimateFeesPerGas" | "getGasPrice">;

// Per client: one sweeper pass over many sweeps asks for a quote once per block, not once per sweep.
const cache = new WeakMap<FeeClient, { at: number; quote: GasQuote }>();

/** How long a quote may be reused on a chain: half a block time, at most 5 s. */
export function feeCacheMsOf(chain: Pick<TChain, "blockTime">): number {
  return Math.min(5_000, Math.round((chain.blockTime * 1_000) / 2));
}

/**
 * EIP-1559 fees (viem's estimate: base fee × 1.2 + priority fee), or the legacy gas price on a chain
 * without EIP-1559. `maxAgeMs` > 0 reuses a quote that young; a fresh quote is always cached.
 */
export async function quoteGasPrice(
  client: FeeClient,
  options: { maxAgeMs?: number } = {},
): Promise<GasQuote> {
  const maxAgeMs = options.maxAgeMs ?? 0;
  const cached = cache.get(client);
  if (cached && maxAgeMs > 0 && Date.now() - cached.at <= maxAgeMs) return cached.quote;
  const quote = await freshQuote(client);
  cache.set(client, { at: Date.now(), quote });
  return quote;
}

async function freshQuote(client: FeeClient): Promise<GasQuote> {
  try {
    const fees = await client.estimateFeesPerGas({ type: "eip1559" });
    return { type: "eip1559", gasPrice: fees.maxFeePerGas };
  } catch (error) {
    if (!(error instanceof Eip1559FeesNotSupportedError)) throw error;
    return { type: "legacy", gasPrice: await client.getGasPrice() };
  }
}

/** Transaction fee fields for a quote (see GasQuote). */
export function feeFields(quote: GasQuote) {
  return quote.type === "eip1559"
    ? ({ type: "eip1559", maxFeePerGas: quote.gasPrice, maxPriorityFeePerGas: quote.gasPrice } as const)
    : ({ type: "legacy", gasPrice: quote.gasPrice } as const);
}

/** Each replacement of a stuck payout or top-up pays ≥ 25 % more per gas: five are ≥ 3× the first. */
export const MAX_REPLACEMENTS = 5;

/**
 * The price per gas of a stuck transaction's replacement: the current quote, and at least 25 % over
 * what the stuck one offered (nodes refuse a replacement without a bump).
 */
export async function replacementPrice(
  client: FeeClient,
  previous: Pick<TransactionSerializable, "maxFeePerGas" | "gasPrice">,
): Promise<{ quote: GasQuote; price: bigint }> {
  const quote = await quoteGasPrice(client);
  const bumped = ((previous.maxFeePerGas ?? previous.gasPrice ?? 0n) * 125n) / 100n + 1n;
  return { quote, price: quote.gasPrice > bumped ? quote.gasPrice : bumped };
}

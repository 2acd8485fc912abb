import { Eip1559FeesNotSupportedError } from "viem";
import type { ChainClient } from "../chains/public-client";

/**
 * The price per gas unit a sweep pays. With EIP-1559 the priority fee is set equal to the max fee,
 * so the effective price is exactly this value whatever the base fee: the fee of a sweep is known
 * before it is sent, and a native sweep of `balance − gas × price` leaves exactly 0 wei behind.
 */
export type GasQuote = { type: "eip1559" | "legacy"; gasPrice: bigint };

export async function quoteGasPrice(client: Pick<ChainClient, "estimateFeesPerGas" | "getGasPrice">) {
  try {
    const fees = await client.estimateFeesPerGas({ type: "eip1559" });
    return { type: "eip1559", gasPrice: fees.maxFeePerGas } satisfies GasQuote;
  } catch (error) {
    if (!(error instanceof Eip1559FeesNotSupportedError)) throw error;
    return { type: "legacy", gasPrice: await client.getGasPrice() } satisfies GasQuote;
  }
}

/** Transaction fee fields for a quote (see GasQuote). */
export function feeFields(quote: GasQuote) {
  return quote.type === "eip1559"
    ? ({ type: "eip1559", maxFeePerGas: quote.gasPrice, maxPriorityFeePerGas: quote.gasPrice } as const)
    : ({ type: "legacy", gasPrice: quote.gasPrice } as const);
}

import type { ChainClient } from "../chains/public-client";
import { feeFields, quoteGasPrice } from "./gas-price";

/** The fee fields of a transaction as signed. */
export type TransactionFees =
  | { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: "legacy"; gasPrice: bigint };

/** The most a transaction can pay per gas (its max fee, or its legacy gas price). */
export function maxFeeOf(fees: TransactionFees): bigint {
  return fees.type === "eip1559" ? fees.maxFeePerGas : fees.gasPrice;
}

/** The fees of a new transaction at the chain's current prices. */
export async function quoteTransactionFees(
  client: Pick<ChainClient, "estimateFeesPerGas" | "getGasPrice">,
  options: { maxAgeMs?: number } = {},
): Promise<TransactionFees> {
  return feeFields(await quoteGasPrice(client, options));
}

/**
 * The fees of a stuck transaction's replacement: every fee at least `bumpPermille` ‰ over the stuck
 * one (rounded up) and at least the current quote; the priority fee never above the max fee.
 */
export function replacementFees(
  stuck: TransactionFees,
  current: TransactionFees,
  bumpPermille: bigint,
): TransactionFees {
  const bump = (fee: bigint) => (fee * (1000n + bumpPermille) + 999n) / 1000n;
  if (stuck.type === "legacy")
    return { type: "legacy", gasPrice: maxOf(bump(stuck.gasPrice), maxFeeOf(current)) };
  const currentTip = current.type === "eip1559" ? current.maxPriorityFeePerGas : current.gasPrice;
  const maxFeePerGas = maxOf(bump(stuck.maxFeePerGas), maxFeeOf(current));
  const tip = maxOf(bump(stuck.maxPriorityFeePerGas), currentTip);
  return { type: "eip1559", maxFeePerGas, maxPriorityFeePerGas: minOf(tip, maxFeePerGas) };
}

/** The fee fields of a parsed transaction (viem's parseTransaction). */
export function feesOfParsed(parsed: {
  type?: string;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasPrice?: bigint;
}): TransactionFees {
  return parsed.type === "eip1559"
    ? {
        type: "eip1559",
        maxFeePerGas: parsed.maxFeePerGas ?? 0n,
        maxPriorityFeePerGas: parsed.maxPriorityFeePerGas ?? 0n,
      }
    : { type: "legacy", gasPrice: parsed.gasPrice ?? 0n };
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

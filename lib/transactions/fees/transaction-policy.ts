import { parseGwei } from "viem";
import { MIN_BUMP_PERCENT } from "../../config/chain-fees";
import type { TChain } from "../../config/chains";

/** A chain's replacement policy in exact units (chains.yaml `transactions`, defaults applied). */
export type TransactionPolicy = {
  /** Seconds without a receipt before a transaction counts as stuck. */
  stuckAfterSeconds: number;
  /** Minimum raise of both fees per replacement, in basis points (1250n = 12.5 %). */
  bumpBasisPoints: bigint;
  /** Replacements of one transaction before it is paused. */
  maxReplacements: number;
  /** Ceiling of the max fee per gas (or the legacy gas price), in wei; null = none. */
  maxFeePerGas: bigint | null;
  /** Cap of the quoted priority fee per gas, in wei; null = the node's suggestion as is. */
  maxPriorityFeePerGas: bigint | null;
};

export const DEFAULT_MAX_REPLACEMENTS = 5;

/** The replacement policy of a chain: its chains.yaml `transactions` with the defaults filled in. */
export function transactionPolicyOf(chain: Pick<TChain, "blockTime" | "transactions">): TransactionPolicy {
  const config = chain.transactions ?? {};
  return {
    stuckAfterSeconds: config.stuckAfterSeconds ?? Math.max(60, Math.ceil(30 * chain.blockTime)),
    bumpBasisPoints: percentToBasisPoints(config.bumpPercent ?? MIN_BUMP_PERCENT),
    maxReplacements: config.maxReplacements ?? DEFAULT_MAX_REPLACEMENTS,
    maxFeePerGas: config.maxFeePerGasGwei ? parseGwei(config.maxFeePerGasGwei) : null,
    maxPriorityFeePerGas: config.maxPriorityFeePerGasGwei ? parseGwei(config.maxPriorityFeePerGasGwei) : null,
  };
}

/** "12.5" → 1250n, exactly (the schema allows at most two decimals). */
function percentToBasisPoints(percent: string): bigint {
  const [whole = "0", fraction = ""] = percent.split(".");
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0").slice(0, 2));
}

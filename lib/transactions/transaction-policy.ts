import type { TChain } from "../config/chains";

/**
 * How a chain's stuck transactions are replaced (issue 18: one policy per chain). A transaction not
 * mined `stuckAfterMs` after it was signed is re-signed with the same nonce and both fees raised by
 * at least `bumpPermille` ‰ (nodes refuse a replacement under +10 %); after `maxReplacements`, or
 * when the raise would pass `maxFeePerGas`, it is paused with a reason and an alert instead.
 */
export type TransactionPolicy = {
  stuckAfterMs: number;
  bumpPermille: bigint;
  maxReplacements: number;
  /** Ceiling of the max fee (legacy: gas price) per gas, in wei; null: none. */
  maxFeePerGas: bigint | null;
};

/**
 * The chain's replacement policy: stuck after max(60 s, 30 blocks), +12.5 % on both fees, at most 5
 * replacements, no ceiling. `replaceAfterMs` (tests, deps) overrides the timeout.
 */
export function transactionPolicyOf(
  chain: Pick<TChain, "blockTime">,
  overrides: { replaceAfterMs?: number } = {},
): TransactionPolicy {
  return {
    stuckAfterMs: overrides.replaceAfterMs ?? Math.max(60_000, chain.blockTime * 30_000),
    bumpPermille: 125n,
    maxReplacements: 5,
    maxFeePerGas: null,
  };
}

import type { FeeFields } from "./transaction-cost";
import type { TransactionPolicy } from "./transaction-policy";

export type ReplacementFeesParameters = {
  /** What the stuck transaction offered. */
  previous: FeeFields;
  /** A fresh quote for the chain now (quoteFees with maxAgeMs: 0). */
  current: FeeFields;
  /** Replacements of this transaction already sent (0 for the first replacement). */
  replacementsMade: number;
  policy: Pick<TransactionPolicy, "bumpBasisPoints" | "maxReplacements" | "maxFeePerGas">;
};

export type ReplacementFees = { fees: FeeFields } | { exceeded: "ceiling" | "max_replacements" };

/**
 * The fees of the replacement of a stuck transaction: on each fee field the larger of the current
 * quote and the previous offer raised by the policy's bump (rounded up, so the raise is never below
 * it: nodes refuse a replacement that does not raise both the max fee and the tip). The tip never
 * exceeds the max fee. Refused once the policy's replacements are used up, or when the bumped max fee
 * would pass the ceiling (the transaction then waits or is paused; it is never overpaid).
 * The tip cap of the policy bounds quotes only: a replacement must raise the tip regardless.
 */
export function replacementFees(params: ReplacementFeesParameters): ReplacementFees {
  const { previous, current, policy } = params;
  if (params.replacementsMade >= policy.maxReplacements) return { exceeded: "max_replacements" };
  const bump = (value: bigint) => ceilDiv(value * (10_000n + policy.bumpBasisPoints), 10_000n);
  // A legacy gas price counts as both the max fee and the tip (as nodes compare them).
  const previousMax = previous.type === "eip1559" ? previous.maxFeePerGas : previous.gasPrice;
  const previousTip = previous.type === "eip1559" ? previous.maxPriorityFeePerGas : previous.gasPrice;
  let fees: FeeFields;
  if (current.type === "legacy") {
    fees = { type: "legacy", gasPrice: max(current.gasPrice, bump(previousMax), bump(previousTip)) };
  } else {
    const maxFeePerGas = max(current.maxFeePerGas, bump(previousMax), bump(previousTip));
    // Within maxFeePerGas whenever the inputs are (tip ≤ max fee in both): capped for those that are not.
    let maxPriorityFeePerGas = max(current.maxPriorityFeePerGas, bump(previousTip));
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    fees = { type: "eip1559", maxFeePerGas, maxPriorityFeePerGas };
  }
  const price = fees.type === "eip1559" ? fees.maxFeePerGas : fees.gasPrice;
  if (policy.maxFeePerGas !== null && price > policy.maxFeePerGas) return { exceeded: "ceiling" };
  return { fees };
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

function max(first: bigint, ...rest: bigint[]): bigint {
  let highest = first;
  for (const value of rest) if (value > highest) highest = value;
  return highest;
}
